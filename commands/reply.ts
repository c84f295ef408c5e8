// /reply chance:<0–100> [channel] — how often the bot joins the conversation: the
// chance of answering a message in that channel, or without channel in every listened channel
// that has no chance of its own. A mention of the bot is always answered (within the cooldown).
import { ChannelType } from 'discord.js';
import type { CommandContext } from '../src/commands/context.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { channelMention, requireLearning } from '../src/commands/learning.js';
import { numberOption, requireGuild, stringOption } from '../src/commands/options.js';
import { UserError } from '../src/errors.js';
import { markdown } from '../src/i18n/index.js';

export const data = commandBuilder('reply', { manageGuild: true })
  .addNumberOption((option) =>
    localizeOption(option, 'reply', 'chance').setRequired(true).setMinValue(0).setMaxValue(100),
  )
  .addChannelOption((option) =>
    localizeOption(option, 'reply', 'channel').addChannelTypes(
      ChannelType.GuildText,
      ChannelType.GuildAnnouncement,
      ChannelType.PublicThread,
      ChannelType.PrivateThread,
      ChannelType.AnnouncementThread,
    ),
  );

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const learning = requireLearning(ctx);
  const chance = numberOption(ctx.options, 'chance');
  // Discord enforces 0–100 for its own client; the bot refuses anything else itself.
  if (chance === undefined || chance < 0 || chance > 100)
    throw new UserError('INVALID_PARAMETER', {
      name: 'chance',
      value: String(ctx.options.chance ?? ''),
      reason: '0–100',
    });
  const channelId = stringOption(ctx.options, 'channel') ?? null;
  if (channelId) ctx.channels!.checkReadable(guildId, channelId);
  learning.setReplyChance(guildId, channelId, chance);
  await ctx.reply({
    content: channelId
      ? ctx.t('reply.setChannel', { chance, channel: markdown(channelMention(channelId)) })
      : ctx.t('reply.setServer', { chance, listened: learning.listened(guildId).length }),
  });
}
