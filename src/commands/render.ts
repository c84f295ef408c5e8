// Pieces of replies that several commands show: model statistics, training progress, errors.
// Pure: values in, renderer-neutral Reply parts out.
import type { GuildStatus, JobProgress, SavedModelInfo } from '../manager/types.js';
import type { ModelStats } from '../lm/types.js';
import {
  describeError,
  escapeMarkdown,
  formatBytes,
  formatDate,
  formatDecimal,
  formatDuration,
  formatInteger,
  formatPercent,
  markdown,
  type Locale,
  type Translate,
} from '../i18n/index.js';
import type { Reply, ReplyField } from './context.js';
import { modelSizesText } from './model-sizes.js';

/** Discord's limit for message content; every reply stays under it. */
export const MESSAGE_LIMIT = 2000;
const FIELD_LIMIT = 1024;

export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // Never cut an escape in half: a lone trailing backslash would escape the ellipsis.
  let cut = text.slice(0, limit - 1);
  if (/(^|[^\\])(\\\\)*\\$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Memory a loaded model takes: its image when the stats know it, else its decoded arrays. */
export function loadedMemoryBytes(stats: ModelStats): number {
  return stats.imageBytes ?? stats.memoryBytes;
}

/** With `fileBytes` (the model file's size), the memory field becomes both sizes: file and image. */
export function statsFields(t: Translate, locale: Locale, stats: ModelStats, fileBytes?: number): ReplyField[] {
  const fields: ReplyField[] = [
    {
      name: t('stats.patterns'),
      value: t('stats.patternsValue', { patterns: stats.patterns, order: stats.order }),
      inline: true,
    },
    { name: t('stats.vocabulary'), value: formatInteger(locale, stats.vocabularySize), inline: true },
    {
      name: t('stats.embeddings'),
      value: t('stats.embeddingsValue', { count: stats.embeddings, dim: stats.embeddingDim }),
      inline: true,
    },
    fileBytes === undefined
      ? { name: t('stats.memory'), value: formatBytes(locale, loadedMemoryBytes(stats)), inline: true }
      : { name: t('sizes.field'), value: modelSizesText(t, locale, fileBytes, stats), inline: true },
    {
      name: t('stats.graph'),
      value: t('stats.graphValue', { nodes: stats.graphNodes, edges: stats.graphEdges }),
      inline: true,
    },
    { name: t('stats.trainingTime'), value: formatDuration(locale, stats.trainingMs), inline: true },
    {
      name: t('stats.corpus'),
      value: t('stats.corpusValue', { lines: stats.corpus.lines, tokens: stats.corpus.tokens }),
      inline: true,
    },
    {
      name: t('stats.parameters'),
      value: t('stats.parametersValue', {
        minFrequency: stats.params.minFrequency,
        maxPatterns: stats.params.maxPatterns,
        validation: stats.params.validation,
      }),
      inline: true,
    },
  ];
  if (stats.heldOutPerplexity !== null) {
    fields.push({ name: t('stats.perplexity'), value: formatDecimal(locale, stats.heldOutPerplexity), inline: true });
  }
  return fields;
}

const BAR_WIDTH = 12;

export function progressBar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return '▰'.repeat(filled) + '▱'.repeat(BAR_WIDTH - filled);
}

/** "▰▰▰▱▱▱ 42% · counting patterns · about 12 s left" */
export function progressLine(t: Translate, locale: Locale, progress: JobProgress): string {
  return t('train.progress.line', {
    bar: markdown(progressBar(progress.fraction)),
    percent: markdown(formatPercent(locale, progress.fraction)),
    phase: markdown(t(`phase.${progress.phase}`)),
    eta: progress.etaMs !== null && progress.etaMs > 0 ? markdown(formatDuration(locale, progress.etaMs)) : null,
  });
}

/** The ephemeral reply for an expected failure. */
export function errorReply(locale: Locale, error: unknown): Reply {
  return { content: truncate(describeError(locale, error), MESSAGE_LIMIT), ephemeral: true };
}

export function fieldValue(text: string): string {
  return truncate(text.length === 0 ? '—' : text, FIELD_LIMIT);
}

export function activeModelLine(t: Translate, _locale: Locale, active: GuildStatus['active']): string {
  switch (active.kind) {
    case 'none':
      return t('status.activeNone');
    case 'working':
      return t('status.activeWorking', { date: formatDate(active.trainedAt), user: active.trainedBy.name });
    case 'saved':
      return t('status.activeSaved', { name: active.model.name, version: active.model.version });
  }
}

/** The answer to /save and to the Save button of /train: name, version, file name, size. */
export function savedReply(t: Translate, locale: Locale, saved: SavedModelInfo): Reply {
  return {
    embeds: [
      {
        title: t('save.title'),
        tone: 'success',
        fields: [
          { name: t('save.name'), value: fieldValue(escapeMarkdown(saved.name)), inline: true },
          { name: t('save.version'), value: String(saved.version), inline: true },
          { name: t('save.file'), value: fieldValue(escapeMarkdown(saved.filename)), inline: true },
          { name: t('save.size'), value: formatBytes(locale, saved.bytes), inline: true },
        ],
        ...(saved.prunedVersions?.length
          ? { description: t('retention.pruned', { versions: saved.prunedVersions.map((v) => `v${v}`).join(', ') }) }
          : {}),
      },
    ],
  };
}
