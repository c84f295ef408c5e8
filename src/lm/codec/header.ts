// Header: rebuilt field by field, so the result holds exactly the typed fields and nothing a
// file smuggled in.

import type { CorpusSummary, ModelFileHeader, ModelStats, TrainParams } from '../types.js';
import { boolean, fail, finiteNumber, integerIn, numberIn, record } from './fields.js';
import { MAX_COUNT, MAX_EMBEDDING_DIM, MAX_ORDER } from './limits.js';

export function headerFields(value: unknown): Omit<ModelFileHeader, 'formatVersion'> {
  const header = record(value, 'header');
  const fields: Omit<ModelFileHeader, 'formatVersion'> = {
    createdAt: finiteNumber(header.createdAt, 'header.createdAt'),
    params: trainParams(header.params, 'header.params'),
    stats: modelStats(header.stats, 'header.stats'),
    pruned: boolean(header.pruned, 'header.pruned'),
  };
  // Absent rather than undefined when missing, so a decoded header equals the one written.
  if (header.discounts !== undefined) fields.discounts = discountList(header.discounts, 'header.discounts');
  return fields;
}

/** [D1, D2, D3+] per order. Only the shape is checked; the model decides whether the values are usable. */
function discountList(value: unknown, what: string): number[][] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_ORDER)
    fail(`${what} is not a list of 1–${MAX_ORDER} discount triples`);
  return value.map((triple: unknown, k: number) => {
    if (!Array.isArray(triple) || triple.length !== 3) fail(`${what}[${k}] is not a discount triple`);
    return triple.map((d: unknown, j: number) => finiteNumber(d, `${what}[${k}][${j}]`));
  });
}

function trainParams(value: unknown, what: string): TrainParams {
  const params = record(value, what);
  return {
    maxPatternLength: integerIn(params.maxPatternLength, 1, MAX_ORDER, `${what}.maxPatternLength`),
    minFrequency: integerIn(params.minFrequency, 1, MAX_COUNT, `${what}.minFrequency`),
    maxPatterns: integerIn(params.maxPatterns, 0, Number.MAX_SAFE_INTEGER, `${what}.maxPatterns`),
    validation: numberIn(params.validation, 0, 0.5, `${what}.validation`),
    splitSentences: boolean(params.splitSentences, `${what}.splitSentences`),
    embeddingDim: integerIn(params.embeddingDim, 0, MAX_EMBEDDING_DIM, `${what}.embeddingDim`),
  };
}

function modelStats(value: unknown, what: string): ModelStats {
  const stats = record(value, what);
  const patternsByOrder = stats.patternsByOrder;
  if (!Array.isArray(patternsByOrder) || patternsByOrder.length > MAX_ORDER)
    fail(`${what}.patternsByOrder is not a list of at most ${MAX_ORDER} numbers`);
  const amount = (field: string) => integerIn(stats[field], 0, Number.MAX_SAFE_INTEGER, `${what}.${field}`);
  return {
    order: integerIn(stats.order, 0, MAX_ORDER, `${what}.order`),
    vocabularySize: amount('vocabularySize'),
    patternsByOrder: patternsByOrder.map((n: unknown, i: number) =>
      integerIn(n, 0, Number.MAX_SAFE_INTEGER, `${what}.patternsByOrder[${i}]`),
    ),
    patterns: amount('patterns'),
    embeddings: amount('embeddings'),
    embeddingDim: amount('embeddingDim'),
    graphNodes: amount('graphNodes'),
    graphEdges: amount('graphEdges'),
    memoryBytes: amount('memoryBytes'),
    params: trainParams(stats.params, `${what}.params`),
    corpus: corpusSummary(stats.corpus, `${what}.corpus`),
    trainingMs: numberIn(stats.trainingMs, 0, Number.MAX_VALUE, `${what}.trainingMs`),
    heldOutPerplexity:
      stats.heldOutPerplexity === null
        ? null
        : numberIn(stats.heldOutPerplexity, 0, Infinity, `${what}.heldOutPerplexity`),
  };
}

function corpusSummary(value: unknown, what: string): CorpusSummary {
  const corpus = record(value, what);
  const amount = (field: string) => integerIn(corpus[field], 0, Number.MAX_SAFE_INTEGER, `${what}.${field}`);
  return {
    lines: amount('lines'),
    sentences: amount('sentences'),
    tokens: amount('tokens'),
    characters: amount('characters'),
  };
}
