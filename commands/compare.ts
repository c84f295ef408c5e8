// /compare first second [prompt] [file] — two saved models side by side in one embed: their
// statistics, a generation from each with the same prompt and seed, and their perplexity, OOV
// rate and bits per character on an attached text (or the held-out perplexity /train recorded),
// the better one marked. Nothing becomes active; the active model stays in the cache.
import { escapeMarkdown, formatBytes, formatDate, formatPercent, markdown } from '../src/i18n/index.js';
import type { AutocompleteContext, CommandContext, ReplyField } from '../src/commands/context.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { parseModelRef } from '../src/commands/model-ref.js';
import { attachmentOption, requireGuild, stringOption } from '../src/commands/options.js';
import { fieldValue, loadedMemoryBytes, truncate } from '../src/commands/render.js';
import type { ComparedModel } from '../src/manager/types.js';
import { modelNameKey } from '../src/store/names.js';
import { MAX_PROMPT_LENGTH } from './generate.js';

/** Room for `name v1234567`. */
const REF_LENGTH = 64 + 9;
const GENERATED_WORDS = 30;
const MAX_CHOICES = 25;
const CHOICE_LENGTH = 100;

export const data = commandBuilder('compare')
  .addStringOption((option) =>
    localizeOption(option, 'compare', 'first')
      .setRequired(true)
      .setAutocomplete(true)
      .setMinLength(1)
      .setMaxLength(REF_LENGTH),
  )
  .addStringOption((option) =>
    localizeOption(option, 'compare', 'second')
      .setRequired(true)
      .setAutocomplete(true)
      .setMinLength(1)
      .setMaxLength(REF_LENGTH),
  )
  .addStringOption((option) => localizeOption(option, 'compare', 'prompt').setMaxLength(MAX_PROMPT_LENGTH))
  .addAttachmentOption((option) => localizeOption(option, 'compare', 'file'));

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const first = parseModelRef(stringOption(ctx.options, 'first') ?? '');
  const second = parseModelRef(stringOption(ctx.options, 'second') ?? '');
  const file = attachmentOption(ctx.options, 'file');
  // Reading two model files and scoring a text can take longer than Discord's 3 seconds.
  await ctx.defer();
  // One seed for both, shown in the footer so the comparison can be repeated.
  const seed = ctx.now() % 1_000_000;
  const comparison = await ctx.manager.compare(
    guildId,
    first,
    second,
    { prompt: stringOption(ctx.options, 'prompt'), seed, maxLength: GENERATED_WORDS },
    file,
  );
  const label = (model: ComparedModel) => `${model.info.name} v${model.info.version}`;
  const [a, b] = comparison.models;
  const fields: ReplyField[] = [];
  for (const model of comparison.models) {
    const stats = model.info.stats;
    fields.push({
      name: truncate(escapeMarkdown(label(model)), 256),
      value: fieldValue(
        t('compare.statsValue', {
          patterns: stats.patterns,
          order: stats.order,
          vocabulary: stats.vocabularySize,
          memory: markdown(formatBytes(locale, loadedMemoryBytes(stats))),
          size: markdown(formatBytes(locale, model.info.bytes)),
          minFrequency: stats.params.minFrequency,
          maxPatterns: stats.params.maxPatterns,
          validation: stats.params.validation,
          date: formatDate(model.info.createdAt),
        }),
      ),
      inline: true,
    });
  }
  for (const model of comparison.models) {
    const text = model.generation.text.trim();
    fields.push({
      name: truncate(t('compare.generation', { name: label(model) }), 256),
      value: fieldValue(text ? escapeMarkdown(text) : t('compare.empty')),
    });
  }
  if (comparison.measure === 'file') {
    fields.push({
      name: truncate(t('compare.scoreTitle', { file: comparison.fileName ?? '' }), 256),
      value: fieldValue(
        comparison.models
          .map((model, i) =>
            t('compare.scoreLine', {
              name: label(model),
              perplexity: model.evaluation!.perplexity,
              oov: markdown(
                formatPercent(
                  locale,
                  model.evaluation!.words > 0 ? model.evaluation!.oov / model.evaluation!.words : 0,
                ),
              ),
              bits: model.evaluation!.bitsPerCharacter,
              better: comparison.better === i,
            }),
          )
          .join('\n'),
      ),
    });
  } else if (comparison.measure === 'held-out') {
    fields.push({
      name: t('compare.heldOutTitle'),
      value: fieldValue(
        comparison.models
          .map((model, i) =>
            t('compare.heldOutLine', {
              name: label(model),
              perplexity: model.info.stats.heldOutPerplexity,
              better: comparison.better === i,
            }),
          )
          .join('\n'),
      ),
    });
  }
  await ctx.reply({
    embeds: [
      {
        title: truncate(t('compare.title', { first: label(a), second: label(b) }), 256),
        fields,
        footer: t('compare.footer', { seed: comparison.seed }),
        tone: 'info',
      },
    ],
  });
}

/** Both names: each model's newest version as `name`, its older ones as `name v2`. */
export async function autocomplete(ctx: AutocompleteContext): Promise<{ name: string; value: string }[]> {
  if (!ctx.guildId || (ctx.focused.name !== 'first' && ctx.focused.name !== 'second')) return [];
  const query = modelNameKey(parseModelRef(ctx.focused.value).name.slice(0, 100));
  const choices: { name: string; value: string }[] = [];
  const listings = ctx.manager.list(ctx.guildId).filter((listing) => modelNameKey(listing.name).includes(query));
  listings.sort((x, y) => modelNameKey(x.name).indexOf(query) - modelNameKey(y.name).indexOf(query));
  for (const listing of listings) {
    listing.versions.forEach((info, i) => {
      const value = i === 0 ? info.name : `${info.name} v${info.version}`;
      choices.push({
        name: truncate(
          `${value} · v${info.version} · ${formatDate(info.createdAt)} · ${formatBytes(ctx.locale, info.bytes)}`,
          CHOICE_LENGTH,
        ),
        value: value.slice(0, CHOICE_LENGTH),
      });
    });
  }
  // Newest versions of every name first, then the older ones.
  return [...choices.filter((c) => !/ v\d+$/.test(c.value)), ...choices.filter((c) => / v\d+$/.test(c.value))].slice(
    0,
    MAX_CHOICES,
  );
}
