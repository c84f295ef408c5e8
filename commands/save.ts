// /save name — keeps the working model as a new version of `name`.
import type { CommandContext } from '../src/commands/context.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { requireGuild, stringOption } from '../src/commands/options.js';
import { savedReply } from '../src/commands/render.js';
import { MAX_MODEL_NAME_CHARACTERS } from '../src/store/names.js';

export const data = commandBuilder('save', { manageGuild: true }).addStringOption((option) =>
  localizeOption(option, 'save', 'name').setRequired(true).setMinLength(1).setMaxLength(MAX_MODEL_NAME_CHARACTERS),
);

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const saved = await ctx.manager.save(guildId, ctx.user, stringOption(ctx.options, 'name') ?? '');
  await ctx.reply(savedReply(ctx.t, ctx.locale, saved));
}
