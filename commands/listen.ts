// /listen add|remove [channel] · /listen list · /listen clean mode — live learning: messages in listened
// channels (and their threads) are kept and added to the server's model every few minutes.
import { ChannelType } from 'discord.js';
import type { CommandContext } from '../src/commands/context.js';
import { commandBuilder, localizedChoice, localizeOption } from '../src/commands/definition.js';
import { channelMention, channelOrHere, requireLearning, subcommandOf } from '../src/commands/learning.js';
import { requireGuild, stringOption } from '../src/commands/options.js';
import { UserError } from '../src/errors.js';
import { isCleanMode } from '../src/ingest/clean.js';
import { formatBytes, markdown } from '../src/i18n/index.js';

const TEXT_CHANNELS = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
] as const;

export const data = commandBuilder('listen', { manageGuild: true })
  .addSubcommand((sub) =>
    localizeOption(sub, 'listen', 'add').addChannelOption((option) =>
      localizeOption(option, 'listen', 'channel').addChannelTypes(...TEXT_CHANNELS),
    ),
  )
  .addSubcommand((sub) =>
    localizeOption(sub, 'listen', 'remove').addChannelOption((option) =>
      localizeOption(option, 'listen', 'channel').addChannelTypes(...TEXT_CHANNELS),
    ),
  )
  .addSubcommand((sub) => localizeOption(sub, 'listen', 'list'))
  .addSubcommand((sub) =>
    localizeOption(sub, 'listen', 'clean').addStringOption((option) =>
      localizeOption(option, 'listen', 'mode')
        .setRequired(true)
        .addChoices(
          localizedChoice('cmd.train.choice.clean.strip', 'strip'),
          localizedChoice('cmd.train.choice.clean.replace', 'replace'),
          localizedChoice('cmd.train.choice.clean.off', 'off'),
        ),
    ),
  );

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const learning = requireLearning(ctx);
  const { t, locale } = ctx;
  const action = subcommandOf(ctx) ?? 'list';
  if (action === 'clean') {
    // The server's default for /train (files and channels) and for listened messages.
    const mode = stringOption(ctx.options, 'mode');
    if (!isCleanMode(mode))
      throw new UserError('INVALID_PARAMETER', { name: 'mode', value: String(mode), reason: 'strip | replace | off' });
    learning.setCleanMode(guildId, mode);
    await ctx.reply({ content: t('listen.cleanSet', { mode: t(`cmd.train.choice.clean.${mode}`) }) });
    return;
  }
  if (action === 'add' || action === 'remove') {
    const channelId = channelOrHere(ctx);
    // Listening to a channel the bot cannot see would collect nothing: say so now.
    if (action === 'add') ctx.channels!.checkReadable(guildId, channelId);
    const changed = learning.setListening(guildId, channelId, action === 'add');
    const key =
      action === 'add'
        ? changed
          ? 'listen.added'
          : 'listen.alreadyAdded'
        : changed
          ? 'listen.removed'
          : 'listen.notListened';
    await ctx.reply({
      content: t(key, {
        channel: markdown(channelMention(channelId)),
        privacy: learning.settings(guildId).privacyMode,
      }),
    });
    return;
  }
  const listened = learning.listened(guildId);
  const settings = learning.settings(guildId);
  const counts = learning.counts(guildId);
  await ctx.reply({
    embeds: [
      {
        title: t('listen.list.title'),
        description:
          listened.length === 0 ? t('listen.list.none') : listened.map((id) => `• ${channelMention(id)}`).join('\n'),
        fields: [
          { name: t('listen.list.clean'), value: t(`cmd.train.choice.clean.${settings.cleanMode}`) },
          {
            name: t('listen.list.collected'),
            value: t('listen.list.collectedValue', {
              messages: counts.messages,
              untrained: counts.untrained,
              size: markdown(formatBytes(locale, counts.bytes)),
            }),
          },
          {
            name: t('listen.list.privacy'),
            value: t(settings.privacyMode === 'open' ? 'privacy.mode.open' : 'privacy.mode.optIn'),
          },
          { name: t('listen.list.replies'), value: t('listen.list.repliesValue', { chance: settings.replyChance }) },
        ],
        tone: 'info',
      },
    ],
  });
}
