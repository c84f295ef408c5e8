// Typed reads of a command's parsed options. Adapters deliver what Discord (or the console's
// parser, which reads the same definitions) already validated; these only narrow the type.
import { UserError } from '../errors.js';
import type { AttachmentOption, OptionValue } from './context.js';

type Options = Record<string, OptionValue | undefined>;

export function stringOption(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberOption(options: Options, name: string): number | undefined {
  const value = options[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function attachmentOption(options: Options, name: string): AttachmentOption | undefined {
  const value = options[name];
  return typeof value === 'object' && value !== null && typeof value.name === 'string' ? value : undefined;
}

/** The guild the command runs in; every command here is guild-only. */
export function requireGuild(ctx: { guildId: string | null }): string {
  if (!ctx.guildId) throw new UserError('GUILD_ONLY', {});
  return ctx.guildId;
}
