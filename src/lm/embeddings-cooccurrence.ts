// Embedding training, first stages: distance-weighted co-occurrence counts (from the token
// stream or from exact n-gram counts) and their positive PMI (Levy, Goldberg & Dagan 2015; see
// embeddings-train.ts for the pipeline).

import type { CountTrieLevel } from './types.js';

/** Ids below this are <unk>, <s>, </s>: they get zero rows. */
export const FIRST_WORD_ID = 3;
/** Context-distribution smoothing exponent (Levy et al. 2015). */
const CONTEXT_SMOOTHING = 0.75;

export interface EmbeddingCorpus {
  /** Every token id of the corpus, sentences concatenated, without <s>/</s>. */
  ids: Int32Array;
  /** Start offset of each sentence in `ids`; the last sentence runs to the end. */
  sentenceStarts: Int32Array;
}

/**
 * The same co-occurrences read from exact n-gram counts instead of the token stream: a pair of
 * words d positions apart in a sentence is exactly one occurrence of a (d+1)-gram that starts with
 * one and ends with the other, so levels 1..window of an unpruned count trie give the counts the
 * corpus would. Adding text to a model (which keeps counts, not text) trains its embeddings this
 * way, on everything it learned. Needs `levels.length > window`.
 */
export interface NgramCooccurrences {
  levels: readonly CountTrieLevel[];
}

/** A sparse rows × rows matrix in compressed-sparse-row form. */
export interface SparseRows {
  rowStart: Int32Array; // length rows + 1
  columns: Int32Array;
  values: Float32Array;
}

/**
 * Symmetric, distance-weighted co-occurrence counts within a sentence: a context d positions away
 * weighs (window − d + 1) / window, word2vec's "dynamic window" in expectation.
 * Each unordered pair is recorded once, under its lower id: one pass counts each row's events,
 * a second scatters them into per-row runs (a counting sort), a third sums each run with a dense
 * scratch row. Recording pairs once halves the scattered writes, which dominate the time; the
 * full matrix is only written out as PPMI (see positivePmi). The counting and scattering passes walk
 * the pairs with one function (visitPairs); the summing pass is its own function so V8 optimizes it
 * with its own type feedback (one function holding all passes deoptimized at every new pass).
 */
export function countCooccurrences(corpus: EmbeddingCorpus, rows: number, window: number): UpperTriangle {
  const bounds = sentenceBounds(corpus);
  const upperStart = countPairsPerRow(corpus.ids, bounds, rows, window);
  const events = scatterPairs(corpus.ids, bounds, rows, window, upperStart);
  return sumPairRuns(events, upperStart, rows, window);
}

/**
 * countCooccurrences from n-gram counts (see NgramCooccurrences): each (d+1)-gram whose first and
 * last tokens are covered words adds its count at distance d. The per-row runs then hold one
 * entry per n-gram instead of one per occurrence, each weighing count × the distance's weight.
 */
export function countNgramCooccurrences(
  levels: readonly CountTrieLevel[],
  rows: number,
  window: number,
): UpperTriangle {
  // first[k][i]: the first word of the (k+1)-gram i of level k.
  const first: Int32Array[] = [levels[0].word];
  for (let k = 1; k <= window; k++) {
    const { parent } = levels[k];
    const above = first[k - 1];
    const level = new Int32Array(parent.length);
    for (let i = 0; i < parent.length; i++) level[i] = above[parent[i]];
    first.push(level);
  }
  const covered = (id: number) => id >= FIRST_WORD_ID && id < rows;
  const upperStart = new Int32Array(rows + 1);
  for (let d = 1; d <= window; d++) {
    const { word } = levels[d];
    for (let i = 0; i < word.length; i++) {
      const a = first[d][i];
      const b = word[i];
      if (covered(a) && covered(b)) upperStart[(a < b ? a : b) + 1]++;
    }
  }
  for (let w = 0; w < rows; w++) upperStart[w + 1] += upperStart[w];
  const events = new Int32Array(upperStart[rows]);
  const weights = new Float64Array(upperStart[rows]);
  const cursor = upperStart.slice(0, rows);
  for (let d = 1; d <= window; d++) {
    const { word, count } = levels[d];
    const weight = (window - d + 1) / window;
    for (let i = 0; i < word.length; i++) {
      const a = first[d][i];
      const b = word[i];
      if (!covered(a) || !covered(b)) continue;
      const lower = a < b ? a : b;
      const slot = cursor[lower]++;
      events[slot] = (a < b ? b : a) * 32 + d;
      weights[slot] = count[i] * weight;
    }
  }
  return sumPairRuns(events, upperStart, rows, window, weights);
}

/** [start, end) of every sentence, clamped to the corpus so malformed offsets cannot read past it. */
function sentenceBounds(corpus: EmbeddingCorpus): Int32Array {
  const { ids, sentenceStarts } = corpus;
  const sentences = sentenceStarts.length;
  const bounds = new Int32Array(2 * sentences);
  for (let s = 0; s < sentences; s++) {
    bounds[2 * s] = Math.max(0, Math.min(ids.length, sentenceStarts[s]));
    bounds[2 * s + 1] = s + 1 < sentences ? Math.max(0, Math.min(ids.length, sentenceStarts[s + 1])) : ids.length;
  }
  return bounds;
}

/** Row offsets of the upper-triangle event runs: row w holds the pairs whose lower id is w. */
function countPairsPerRow(ids: Int32Array, bounds: Int32Array, rows: number, window: number): Int32Array {
  const upperStart = new Int32Array(rows + 1);
  visitPairs(ids, bounds, rows, window, upperStart, null);
  for (let w = 0; w < rows; w++) upperStart[w + 1] += upperStart[w];
  return upperStart;
}

/** Each event packs the higher id and the distance: higher · 32 + distance (window ≤ 16 < 32). */
function scatterPairs(
  ids: Int32Array,
  bounds: Int32Array,
  rows: number,
  window: number,
  upperStart: Int32Array,
): Int32Array {
  const events = new Int32Array(upperStart[rows]);
  visitPairs(ids, bounds, rows, window, upperStart.slice(0, rows), events);
  return events;
}

/**
 * Walks every pair of covered words at most `window` apart in a sentence, once, under its lower id.
 * Without `events` it counts the pairs of each row into `rowCounters[lower + 1]` (ready for a
 * prefix sum); with them it writes each pair's event at `rowCounters[lower]++` (a cursor per row).
 */
function visitPairs(
  ids: Int32Array,
  bounds: Int32Array,
  rows: number,
  window: number,
  rowCounters: Int32Array,
  events: Int32Array | null,
): void {
  for (let b = 0; b < bounds.length; b += 2) {
    const end = bounds[b + 1];
    for (let i = bounds[b]; i < end; i++) {
      const word = ids[i];
      if (word < FIRST_WORD_ID || word >= rows) continue;
      const last = Math.min(end, i + window + 1);
      for (let j = i + 1; j < last; j++) {
        const context = ids[j];
        if (context < FIRST_WORD_ID || context >= rows) continue;
        if (events === null) rowCounters[(context < word ? context : word) + 1]++;
        else if (context < word) events[rowCounters[context]++] = word * 32 + (j - i);
        else events[rowCounters[word]++] = context * 32 + (j - i);
      }
    }
  }
}

interface UpperTriangle {
  /** Row offsets into columns/values; rewritten in place from the event runs. */
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float32Array;
  /** Entries each row will have once mirrored, shifted by one (ready for a prefix sum). */
  mirroredSizes: Int32Array;
}

/** Sums each row's events per context, compacting the runs in place (a row's output never overtakes its input). */
function sumPairRuns(
  events: Int32Array,
  upperStart: Int32Array,
  rows: number,
  window: number,
  weights?: Float64Array,
): UpperTriangle {
  const distanceWeight = new Float64Array(32);
  for (let d = 1; d <= window; d++) distanceWeight[d] = (window - d + 1) / window;
  const scratch = new Float64Array(rows);
  const columns = events;
  const values = new Float32Array(events.length);
  const mirroredSizes = new Int32Array(rows + 1);
  let written = 0;
  for (let w = 0; w < rows; w++) {
    const firstOutput = written;
    const runEnd = upperStart[w + 1];
    for (let e = upperStart[w]; e < runEnd; e++) {
      const event = events[e];
      const context = event >> 5;
      // First sighting of this context in the row: its slot e ≥ written was already read.
      if (scratch[context] === 0) columns[written++] = context;
      scratch[context] += weights === undefined ? distanceWeight[event & 31] : weights[e];
    }
    upperStart[w] = firstOutput;
    for (let o = firstOutput; o < written; o++) {
      const context = columns[o];
      // A word next to itself ("very very") was one event but counts in both directions.
      values[o] = context === w ? 2 * scratch[context] : scratch[context];
      scratch[context] = 0;
      mirroredSizes[w + 1]++;
      if (context !== w) mirroredSizes[context + 1]++;
    }
  }
  upperStart[rows] = written;
  return { rowStart: upperStart, columns, values, mirroredSizes };
}

/**
 * PPMI(w, c) = max(0, log(P(w, c) / (P(w) · Pα(c)))) with Pα(c) = #(c)^α / Σ #(c')^α.
 * Smoothing the context distribution stops rare contexts from getting huge PMI values.
 * The rows x columns matrix is written out from the symmetric counts' upper triangle, keeping
 * only positive entries whose context is among the first `contexts` ids (the decomposed block;
 * nothing else reads the others). The probabilities themselves are over all contexts.
 */
export function positivePmi(upper: UpperTriangle, rows: number, contexts: number): SparseRows {
  const { rowStart: upperStart, columns: upperColumns, values: upperValues } = upper;
  // Row sums of the symmetric counts; a word's total as a context is the same number.
  const rowSum = new Float64Array(rows);
  for (let w = 0; w < rows; w++) {
    for (let e = upperStart[w]; e < upperStart[w + 1]; e++) {
      rowSum[w] += upperValues[e];
      if (upperColumns[e] !== w) rowSum[upperColumns[e]] += upperValues[e];
    }
  }
  const smoothedContext = new Float64Array(rows);
  let smoothedTotal = 0;
  for (let c = 0; c < rows; c++) {
    smoothedContext[c] = Math.pow(rowSum[c], CONTEXT_SMOOTHING);
    smoothedTotal += smoothedContext[c];
  }

  // Rows get room for every mirrored count; the gaps left by dropped entries are closed after.
  const rowStart = upper.mirroredSizes;
  for (let w = 0; w < rows; w++) rowStart[w + 1] += rowStart[w];
  const columns = new Int32Array(rowStart[rows]);
  const values = new Float32Array(rowStart[rows]);
  const fill = rowStart.slice(0, rows);
  // PMI > 0 exactly when the count exceeds its expectation, so the logarithm is only taken for
  // the entries that are kept (about a third).
  for (let w = 0; w < rows; w++) {
    for (let e = upperStart[w]; e < upperStart[w + 1]; e++) {
      const c = upperColumns[e];
      const count = upperValues[e] * smoothedTotal;
      if (c < contexts) {
        const expected = rowSum[w] * smoothedContext[c];
        if (count > expected) {
          columns[fill[w]] = c;
          values[fill[w]++] = Math.log(count / expected);
        }
      }
      if (c !== w && w < contexts) {
        const expected = rowSum[c] * smoothedContext[w];
        if (count > expected) {
          columns[fill[c]] = w;
          values[fill[c]++] = Math.log(count / expected);
        }
      }
    }
  }
  let written = 0;
  for (let w = 0; w < rows; w++) {
    const start = rowStart[w];
    rowStart[w] = written;
    for (let e = start; e < fill[w]; e++) {
      columns[written] = columns[e];
      values[written++] = values[e];
    }
  }
  rowStart[rows] = written;
  return { rowStart, columns: columns.subarray(0, written), values: values.subarray(0, written) };
}
