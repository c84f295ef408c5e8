// /forget me · /forget channel:<channel>: removes collected messages and makes the
// next retraining rebuild the model without them. `channel` needs Manage Server and a
// confirmation; anyone may forget their own messages.
import { ChannelType } from 'discord.js';
import type { CommandContext } from '../src/commands/context.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { channelMention, requireLearning, subcommandOf } from '../src/commands/learning.js';
import { requireGuild, stringOption } from '../src/commands/options.js';
import { UserError } from '../src/errors.js';
import { describeCode, markdown } from '../src/i18n/index.js';

export const CONFIRM_TIMEOUT_MS = 60_000;
const CONFIRM = 'forget:confirm';
const CANCEL = 'forget:cancel';

export const data = commandBuilder('forget')
  .addSubcommand((sub) => localizeOption(sub, 'forget', 'me'))
  .addSubcommand((sub) =>
    localizeOption(sub, 'forget', 'channel').addChannelOption((option) =>
      localizeOption(option, 'forget', 'target')
        .setRequired(true)
        .addChannelTypes(
          ChannelType.GuildText,
          ChannelType.GuildAnnouncement,
          ChannelType.PublicThread,
          ChannelType.PrivateThread,
          ChannelType.AnnouncementThread,
        ),
    ),
  );

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const learning = requireLearning(ctx);
  const { t, locale } = ctx;
  if (subcommandOf(ctx) !== 'channel') {
    const count = learning.forgetMember(guildId, ctx.user.id);
    await ctx.reply({ ephemeral: true, content: t('forget.me', { count }) });
    return;
  }
  if (!ctx.canManageGuild) throw new UserError('MISSING_PERMISSION', { permission: 'Manage Server' });
  const channelId = stringOption(ctx.options, 'channel');
  if (!channelId) throw new UserError('GUILD_ONLY', {});
  const channel = markdown(channelMention(channelId));
  await ctx.reply({
    ephemeral: true,
    embeds: [
      {
        title: t('forget.channel.confirmTitle'),
        description: t('forget.channel.confirmBody', { channel }),
        tone: 'danger',
      },
    ],
    components: [
      [
        { kind: 'button', id: CONFIRM, label: t('forget.channel.confirm'), style: 'danger' },
        { kind: 'button', id: CANCEL, label: t('common.cancel'), style: 'secondary' },
      ],
    ],
  });
  const answer = await ctx.awaitComponent({ ids: [CONFIRM, CANCEL], timeoutMs: CONFIRM_TIMEOUT_MS, others: 'reject' });
  if (!answer) {
    await ctx.edit({ content: describeCode(locale, 'CONFIRMATION_EXPIRED'), embeds: [], components: [] });
    return;
  }
  if (answer.customId === CANCEL) {
    await answer.update({ content: t('forget.channel.cancelled'), embeds: [], components: [] });
    return;
  }
  const count = learning.forgetChannel(guildId, channelId);
  await answer.update({ content: t('forget.channel.done', { count, channel }), embeds: [], components: [] });
}
