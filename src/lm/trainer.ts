// The training pipeline, stage by stage like KenLM's lmplz: read and tokenize → count →
// (adjust → discount → prune) → embed → interpolate → evaluate the held-out share.
// Append-training feeds the base model's raw counts into the same counter before the new text,
// so an unpruned model appended with more text equals the model trained once on all of it.

import { adjustedCounts } from './adjust.js';
import { readCorpus } from './corpus.js';
import { corpusWindows, countWindows, renumber, trieWindows, unigramCounts, type Windows } from './count.js';
import { estimateDiscounts } from './discount.js';
import { DEFAULT_EMBEDDING_WINDOW, type EmbeddingJob, trainEmbeddings } from './embeddings-train.js';
import { buildPatternGraph } from './graph.js';
import { Model } from './model.js';
import { applyPruning, selectPatterns } from './prune.js';
import { rankVocabulary, VocabularyBuilder, type WordLookup } from './vocab.js';
import {
  DEFAULT_TRAIN_PARAMS,
  BOS_ID,
  EOS_ID,
  TrainingInputError,
  type CountTrie,
  type EmbeddingTable,
  type TrainOptions,
  type TrainParams,
  type TrainPhase,
} from './types.js';

export type TrainingText = string | Iterable<string>;

const MAX_EMBEDDING_DIM = 512;
const DEFAULT_SEED = 1;

function badParams(message: string): never {
  throw new TrainingInputError('bad-params', message);
}

/** Complete, checked parameters; throws TrainingInputError('bad-params') for anything unusable. */
export function resolveParams(params: Partial<TrainParams>): TrainParams {
  const resolved: TrainParams = { ...DEFAULT_TRAIN_PARAMS, ...params };
  const { maxPatternLength, minFrequency, maxPatterns, validation, splitSentences, embeddingDim } = resolved;
  if (!Number.isInteger(maxPatternLength) || maxPatternLength < 1 || maxPatternLength > 8)
    badParams(`maxPatternLength must be an integer from 1 to 8, got ${maxPatternLength}`);
  if (!Number.isInteger(minFrequency) || minFrequency < 1)
    badParams(`minFrequency must be an integer ≥ 1, got ${minFrequency}`);
  if (!Number.isInteger(maxPatterns) || maxPatterns < 0)
    badParams(`maxPatterns must be an integer ≥ 0, got ${maxPatterns}`);
  if (typeof validation !== 'number' || !(validation >= 0 && validation <= 0.5))
    badParams(`validation must be from 0 to 0.5, got ${validation}`);
  if (typeof splitSentences !== 'boolean') badParams('splitSentences must be true or false');
  if (!Number.isInteger(embeddingDim) || embeddingDim < 0 || embeddingDim > MAX_EMBEDDING_DIM)
    badParams(`embeddingDim must be an integer from 0 to ${MAX_EMBEDDING_DIM}, got ${embeddingDim}`);
  return resolved;
}

function linesOf(text: TrainingText): Iterable<string> {
  return typeof text === 'string' ? text.split(/\r?\n/) : text;
}

/** Trains a model on text, one sentence (or, with splitSentences, one paragraph) per line. */
export function train(text: TrainingText, params: Partial<TrainParams> = {}, options: TrainOptions = {}): Model {
  return runTraining(linesOf(text), resolveParams(params), options, null, null);
}

/**
 * train, but the fresh embeddings are handed to `start` as soon as their input is known (before
 * counting) and left for the caller to compute, typically in another thread while this one counts,
 * builds and encodes the rest (embeddingsOf(job)), and to attach with model.withEmbeddings:
 * the result is then the model train returns, to the byte. `start` is not called when there are
 * none to train (embeddingDim 0, or an append, whose embeddings come from the counts). Their
 * time is not in the model's trainingMs.
 */
export function trainWithEmbeddingsApart(
  text: TrainingText,
  params: Partial<TrainParams>,
  options: TrainOptions,
  start: (job: EmbeddingJob) => void,
): Model {
  return runTraining(linesOf(text), resolveParams(params), options, null, start);
}

/**
 * Adds text to a model. For an unpruned model the result equals training once on all the text
 * (same counts, vocabulary, probabilities). A pruned model has lost the counts it pruned, so the
 * result is trained on its kept counts plus the new text, then pruned again: an approximation.
 * Embeddings are kept from the base model (re-indexed); words new to it use the subword fallback.
 */
export function trainAppend(base: Model, text: TrainingText, options: TrainOptions = {}): Model {
  return runTraining(linesOf(text), base.provenance.params, options, base, null);
}

function runTraining(
  lines: Iterable<string>,
  params: TrainParams,
  options: TrainOptions,
  base: Model | null,
  startEmbeddings: ((job: EmbeddingJob) => void) | null,
): Model {
  const now = options.now;
  const started = now?.() ?? 0;
  const seed = options.seed ?? DEFAULT_SEED;
  const report = (phase: TrainPhase, fraction: number) => options.onProgress?.({ phase, fraction });
  const knownLines = Array.isArray(lines) ? lines.length : 0;
  const order = params.maxPatternLength;

  report('tokenize', 0);
  const vocabulary = base !== null ? VocabularyBuilder.from(base.vocab) : new VocabularyBuilder();
  const corpus = readCorpus(lines, vocabulary, {
    splitSentences: params.splitSentences,
    validation: params.validation,
    seed,
    onLine: knownLines > 0 ? (read) => report('tokenize', 0.45 * (read / knownLines)) : undefined,
  });
  if (corpus.sentences === 0) {
    throw new TrainingInputError(
      'empty',
      base !== null ? 'no words to add: the text is empty' : 'no words to train on: the text is empty',
    );
  }

  report('count', 0.45);
  // The base model's counts come back as weighted windows over its own ids, which are the
  // provisional ids of the new text too (the vocabulary builder started from its vocabulary).
  const sources: Windows[] = [];
  if (base !== null) sources.push(trieWindows(base.graph.levels));
  sources.push(corpusWindows(corpus.tokens, order, EOS_ID));
  const provisionalUnigrams = unigramCounts(sources, vocabulary.size);
  const { vocab, finalId } = rankVocabulary(vocabulary.words, provisionalUnigrams);
  for (const source of sources) renumber(source.tokens, finalId);
  // Apart, a fresh training's embeddings start as soon as the ids are final, before counting:
  // they need only the corpus and the unigram counts (level 0 of the trie counting makes, each
  // word's count as the first word of a window, which pruning keeps), and so run beside all of
  // the rest of training.
  const embeddingsApart = startEmbeddings !== null && base === null && params.embeddingDim > 0;
  if (embeddingsApart) {
    const unigrams = new Uint32Array(vocab.length);
    for (let id = 0; id < provisionalUnigrams.length; id++) unigrams[finalId[id]] = provisionalUnigrams[id];
    startEmbeddings({
      corpus: embeddingCorpus(corpus.tokens),
      counts: unigrams,
      options: { dim: params.embeddingDim, seed },
    });
  }
  const fullCounts = countWindows(sources, order, vocab.length, options.arrays);
  sources.length = 0;

  report('adjust', 0.6);
  const basePruned = base?.provenance.pruned ?? false;
  let counts: CountTrie = fullCounts;
  let pruned = basePruned;
  let discounts: [number, number, number][] | undefined;
  if (params.minFrequency > 1 || params.maxPatterns > 0) {
    const graph = buildPatternGraph(fullCounts, vocab.length, false);
    const adjusted = adjustedCounts(graph);
    report('discount', 0.65);
    const keep = selectPatterns(graph, params.minFrequency, params.maxPatterns);
    if (keep !== null || basePruned) {
      discounts = estimateDiscounts(adjusted, graph.offsets, order);
      counts =
        keep !== null ? applyPruning(graph, adjusted, keep) : withLowerAdjusted(fullCounts, graph.offsets, adjusted);
      pruned = true;
    }
  } else if (basePruned) {
    // Nothing prunes now, but the base's pruned counts are gone: keep the model marked pruned,
    // with estimation inputs derived from what is stored.
    const graph = buildPatternGraph(fullCounts, vocab.length);
    const adjusted = adjustedCounts(graph);
    discounts = estimateDiscounts(adjusted, graph.offsets, order);
    counts = withLowerAdjusted(fullCounts, graph.offsets, adjusted);
  }

  // Fresh embeddings are trained before the model is built: their co-occurrence buffers then
  // never coexist with the model's probability arrays, which keeps training's peak RSS down.
  let embeddings: EmbeddingTable | null = null;
  // Adding text keeps no text, only counts: the embeddings are trained again from the merged
  // exact n-gram counts, which hold every co-occurrence within the window (order > window), so
  // they cover every word of base + new text as one training on all of it would.
  const fromCounts = base !== null && order > DEFAULT_EMBEDDING_WINDOW;
  if (params.embeddingDim > 0 && (base?.embeddings == null || fromCounts) && !embeddingsApart) {
    report('embed', 0.7);
    const source = fromCounts ? { levels: fullCounts.levels } : embeddingCorpus(corpus.tokens);
    embeddings = trainEmbeddings(source, counts.levels[0].count, { dim: params.embeddingDim, seed });
  }
  // Nothing reads the token buffer from here on: let it go before the model's arrays are made.
  corpus.tokens = new Int32Array(0);

  report('interpolate', 0.8);
  const model = Model.fromCounts(
    vocab,
    counts,
    embeddings,
    {
      params: { ...params },
      corpus: {
        lines: corpus.summary.lines + (base?.provenance.corpus.lines ?? 0),
        sentences: corpus.summary.sentences + (base?.provenance.corpus.sentences ?? 0),
        tokens: corpus.summary.tokens + (base?.provenance.corpus.tokens ?? 0),
        characters: corpus.summary.characters + (base?.provenance.corpus.characters ?? 0),
      },
      trainingMs: 0,
      heldOutPerplexity: null,
      pruned,
      discounts,
    },
    true,
    options.arrays,
  );

  if (params.embeddingDim > 0 && base?.embeddings != null && !fromCounts) {
    report('embed', 0.9);
    embeddings = reindexEmbeddings(base.embeddings, base.vocab, model.wordIds);
  }
  const result = embeddings !== null && embeddings !== model.embeddings ? model.withEmbeddings(embeddings) : model;

  if (params.validation > 0 && corpus.heldOut.length > 0) {
    report('evaluate', 0.95);
    const evaluation = result.score(corpus.heldOut);
    result.provenance.heldOutPerplexity = Number.isFinite(evaluation.perplexity) ? evaluation.perplexity : null;
  }
  report('pack', 1);
  result.provenance.trainingMs = (base?.provenance.trainingMs ?? 0) + (now !== undefined ? now() - started : 0);
  return result;
}

/** The counts with adjusted counts attached to the lower levels (for a model marked pruned). */
function withLowerAdjusted(counts: CountTrie, offsets: Int32Array, adjusted: Uint32Array): CountTrie {
  return {
    order: counts.order,
    levels: counts.levels.map((level, k) =>
      k + 1 < counts.order
        ? {
            ...level,
            adjusted: adjusted.slice(offsets[k], offsets[k + 1]),
            prunedMass: new Uint32Array(level.word.length),
          }
        : level,
    ),
  };
}

/** The corpus in the embeddings' layout: final ids, no sentence markers. */
function embeddingCorpus(tokens: Int32Array): { ids: Int32Array; sentenceStarts: Int32Array } {
  let sentences = 0;
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === EOS_ID) sentences++;
  const ids = new Int32Array(tokens.length - 2 * sentences);
  const sentenceStarts = new Int32Array(sentences);
  let at = 0;
  let sentence = 0;
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i];
    if (id === EOS_ID) continue;
    if (id === BOS_ID) {
      sentenceStarts[sentence++] = at;
      continue;
    }
    ids[at++] = id;
  }
  return { ids, sentenceStarts };
}

/** Base vectors moved to the new ids; rows of words without a base vector stay zero (no vector). */
function reindexEmbeddings(table: EmbeddingTable, baseVocab: readonly string[], newIds: WordLookup): EmbeddingTable {
  const dim = table.dim;
  const rows = Math.min(table.count, baseVocab.length);
  let count = 0;
  for (let id = 0; id < rows; id++) count = Math.max(count, (newIds.get(baseVocab[id]) ?? -1) + 1);
  const values = new Int8Array(count * dim);
  const scales = new Float32Array(count);
  for (let id = 0; id < rows; id++) {
    const to = newIds.get(baseVocab[id]);
    if (to === undefined) continue;
    values.set(table.values.subarray(id * dim, (id + 1) * dim), to * dim);
    scales[to] = table.scales[id];
  }
  return { dim, count, values, scales };
}
