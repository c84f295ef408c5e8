// /generate — text from the guild's active model, with a per-user cooldown and a footer of
// what it cost (tokens, milliseconds, activated patterns).
import { UserError } from '../src/errors.js';
import { escapeMarkdown } from '../src/i18n/index.js';
import type { CommandContext } from '../src/commands/context.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { numberOption, requireGuild, stringOption } from '../src/commands/options.js';
import { MESSAGE_LIMIT, truncate } from '../src/commands/render.js';

export const MAX_PROMPT_LENGTH = 500;
export const MAX_GENERATED_WORDS = 200;

export const data = commandBuilder('generate')
  .addStringOption((option) => localizeOption(option, 'generate', 'prompt').setMaxLength(MAX_PROMPT_LENGTH))
  .addIntegerOption((option) =>
    localizeOption(option, 'generate', 'max_length').setMinValue(1).setMaxValue(MAX_GENERATED_WORDS),
  )
  .addNumberOption((option) => localizeOption(option, 'generate', 'temperature').setMinValue(0.1).setMaxValue(2))
  .addIntegerOption((option) => localizeOption(option, 'generate', 'seed').setMinValue(0).setMaxValue(2_147_483_647));

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const waitMs = ctx.bot?.generateCooldown?.take(ctx.user.id, ctx.now()) ?? 0;
  if (waitMs > 0) throw new UserError('COOLDOWN', { seconds: Math.ceil(waitMs / 100) / 10 });
  // With the model in memory generating takes milliseconds, so answer directly (a deferred
  // reply costs a second request, and discord.js queues edits of deferred replies one by one).
  // A model that must first be read, verified and decoded could miss the 3-second rule under
  // load: the manager calls beforeLoad first and we acknowledge at once. NO_MODEL_LOADED comes
  // before any acknowledgement, so errors stay private either way. One look at the guild's
  // state serves both decisions and the generation.
  const result = await ctx.manager.generate(
    guildId,
    {
      prompt: stringOption(ctx.options, 'prompt'),
      maxLength: numberOption(ctx.options, 'max_length'),
      temperature: numberOption(ctx.options, 'temperature'),
      seed: numberOption(ctx.options, 'seed'),
    },
    { beforeLoad: () => ctx.defer() },
  );

  let footer = ctx.t('generate.footer', {
    tokens: result.tokens,
    ms: Math.round(result.ms),
    patterns: result.activatedPatterns,
  });
  if (result.substitutions.length > 0) {
    footer += ` · ${ctx.t('generate.substitutions', { list: result.substitutions.map((s) => `${s.from} → ${s.to}`).join(', ') })}`;
  }
  // Subtext ("-# ") keeps the figures small under the text, like an embed footer without the embed.
  footer = `-# ${truncate(footer, 300)}`;
  const generated = result.text.trim();
  const text = generated.length > 0 ? escapeMarkdown(generated) : ctx.t('generate.empty');
  await ctx.reply({ content: `${truncate(text, MESSAGE_LIMIT - footer.length - 1)}\n${footer}` });
}
