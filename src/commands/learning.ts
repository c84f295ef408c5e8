// Shared by /listen, /reply, /forget and /privacy: the learning service when channel
// learning is on, the subcommand chosen, and the channel option (default: where the command ran).
import { UserError } from '../errors.js';
import type { ChannelLearning } from '../manager/channel-learning.js';
import type { CommandContext } from './context.js';
import { stringOption } from './options.js';

export function requireLearning(ctx: CommandContext): ChannelLearning {
  if (!ctx.learning || !ctx.channels?.enabled) throw new UserError('CHANNELS_DISABLED', {});
  return ctx.learning;
}

/** The subcommand the adapter recorded (`/listen add` → 'add'). */
export function subcommandOf(ctx: CommandContext): string | undefined {
  return stringOption(ctx.options, SUBCOMMAND_OPTION);
}

/** Where adapters put the chosen subcommand's name among the options. */
export const SUBCOMMAND_OPTION = '$subcommand';

/** `channel`, else the channel the command was used in. */
export function channelOrHere(ctx: CommandContext): string {
  const channelId = stringOption(ctx.options, 'channel') ?? ctx.channelId;
  if (!channelId) throw new UserError('GUILD_ONLY', {});
  return channelId;
}

/** `<#id>`: Discord shows the channel's name; channel mentions never ping. */
export const channelMention = (id: string) => `<#${id}>`;
