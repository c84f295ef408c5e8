// The /train options of a channel's history and their reading, kept out of
// commands/train.ts: `channel` (a text channel, announcement channel or thread; forum posts are
// threads), `limit` (newest messages, default 10,000, at most 100,000), `since` and `clean`.
import { ChannelType, type SlashCommandBuilder } from 'discord.js';
import { UserError } from '../errors.js';
import { DEFAULT_CLEAN_MODE, isCleanMode, type CleanMode } from '../ingest/clean.js';
import type { TrainingSource } from '../manager/types.js';
import type { CommandContext } from './context.js';
import { localizedChoice, localizeOption } from './definition.js';
import { numberOption, stringOption } from './options.js';
import { parseSince } from './since-date.js';

const DEFAULT_HISTORY_LIMIT = 10_000;
export const MAX_HISTORY_LIMIT = 100_000;

export function addChannelSourceOptions(builder: SlashCommandBuilder): void {
  builder.addChannelOption((option) =>
    localizeOption(option, 'train', 'channel').addChannelTypes(
      ChannelType.GuildText,
      ChannelType.GuildAnnouncement,
      ChannelType.GuildForum,
      ChannelType.PublicThread,
      ChannelType.PrivateThread,
      ChannelType.AnnouncementThread,
    ),
  );
  builder.addIntegerOption((option) =>
    localizeOption(option, 'train', 'limit').setMinValue(1).setMaxValue(MAX_HISTORY_LIMIT),
  );
  builder.addStringOption((option) => localizeOption(option, 'train', 'since').setMaxLength(40));
  builder.addStringOption((option) =>
    localizeOption(option, 'train', 'clean').addChoices(
      localizedChoice('cmd.train.choice.clean.strip', 'strip'),
      localizedChoice('cmd.train.choice.clean.replace', 'replace'),
      localizedChoice('cmd.train.choice.clean.off', 'off'),
    ),
  );
}

/**
 * The clean setting for this training (the option, else the server's default), and the channel
 * source when `channel` is given. Files and a channel together are refused; so is a channel
 * where the adapter cannot read channels.
 */
export function channelSourceOf(
  ctx: CommandContext,
  guildId: string,
  hasFiles: boolean,
  serverDefault: CleanMode = DEFAULT_CLEAN_MODE,
): { source: TrainingSource | null; clean: CleanMode } {
  const chosen = stringOption(ctx.options, 'clean');
  const clean = isCleanMode(chosen) ? chosen : serverDefault;
  const channelId = stringOption(ctx.options, 'channel');
  const limit = numberOption(ctx.options, 'limit');
  const since = stringOption(ctx.options, 'since');
  if (channelId === undefined) {
    if (limit !== undefined || since !== undefined)
      throw new UserError('INVALID_PARAMETER', {
        name: limit !== undefined ? 'limit' : 'since',
        value: String(limit ?? since),
        reason: 'channel',
      });
    return { source: null, clean };
  }
  if (hasFiles) throw new UserError('TRAIN_SOURCE_CONFLICT', {});
  if (!ctx.channels) throw new UserError('CHANNELS_DISABLED', {});
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT)) {
    throw new UserError('INVALID_PARAMETER', { name: 'limit', value: String(limit), reason: `1–${MAX_HISTORY_LIMIT}` });
  }
  const source = ctx.channels.historySource(guildId, channelId, {
    limit: limit ?? DEFAULT_HISTORY_LIMIT,
    since: since === undefined ? null : parseSince('since', since, ctx.now()),
    clean,
  });
  return { source, clean };
}
