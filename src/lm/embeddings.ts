// Compact word vectors for the pattern model: co-occurrence counts → PPMI → truncated SVD →
// L2-normalized rows → int8 with one float32 scale per row.
//
// Sources:
// - PPMI with context-distribution smoothing (α = 0.75), eigenvalue weighting p = 0.5 and a
//   word2vec-style distance-weighted window follow Levy, Goldberg & Dagan (2015), "Improving
//   Distributional Similarity with Lessons Learned from Word Embeddings", TACL 3. They show that
//   SVD over PPMI with these choices is competitive with word2vec on similarity tasks, and it
//   needs no gradient training, so it is fast and deterministic.
// - The truncated SVD is the randomized range finder with power iterations of Halko, Martinsson
//   & Tropp (2011), "Finding Structure with Randomness", SIAM Review 53(2), Algorithms 4.3 and
//   5.1: a Gaussian test matrix with oversampling, one power iteration (the PPMI spectrum decays
//   slowly), then an exact eigendecomposition of the small projected matrix. It runs on the block
//   of the most frequent words; rarer words are folded in (projected onto the right singular
//   vectors), as latent semantic analysis does for new documents.
// - The mean vector is removed before normalizing (Mu & Viswanath 2018, "All-but-the-Top").
// - The subword fallback uses character n-grams (3–5, with < > word boundaries) hashed into
//   buckets as fastText does (Bojanowski et al. 2017, "Enriching Word Vectors with Subword
//   Information"), but an n-gram's vector is the average of the known words' vectors that contain
//   it, derived from the table at lookup time, so the model file stores nothing extra.
//
// Everything is in typed arrays: co-occurrences are bucketed per word with a counting sort and
// summed with a dense scratch row (no string keys, no Map per word). Measured on the Brown
// training split (1.05M tokens): see bench/embeddings-quick.ts.

import { heapEstimate } from './heap-estimate.js';
import { FNV_OFFSET, FNV_PRIME, fnv1a, gaussianRandom, type GaussianRandom } from './random.js';
import { TrainingInputError, type CountTrieLevel, type EmbeddingTable } from './types.js';

/** Ids below this are <unk>, <s>, </s>: they get zero rows. */
const FIRST_WORD_ID = 3;
/** Words on each side counted as context by default (see EmbeddingOptions.window). */
export const DEFAULT_EMBEDDING_WINDOW = 2;
const DEFAULT_WINDOW = DEFAULT_EMBEDDING_WINDOW;
const DEFAULT_MAX_WORDS = 20_000;
const DEFAULT_SEED = 1;
/** Context-distribution smoothing exponent (Levy et al. 2015). */
const CONTEXT_SMOOTHING = 0.75;
/** Singular values are raised to this power before they scale the vectors (Levy et al.'s p). */
const EIGENVALUE_WEIGHT = 0.5;
/** Extra random directions beyond `dim` in the range finder (Halko et al. suggest 5–10). */
const OVERSAMPLING = 10;
const POWER_ITERATIONS = 1;
/** Words (most frequent first) whose PPMI block is decomposed; the others are folded in. */
const SVD_WORDS = 5_000;
const MAX_DIM = 512;
const DEFAULT_MIN_COUNT = 2;
const MIN_WORDS_FOR_CENTERING = 100;
const MAX_WINDOW = 16;
/** Keeps packed co-occurrence events (id · 32 + distance) inside an Int32. */
const MAX_WORDS = 1 << 24;

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

export interface EmbeddingOptions {
  dim: number;
  /** Words on each side counted as context; nearer words weigh more. Default 2. */
  window?: number;
  /** How many of the most frequent words get a vector. Default 20,000. */
  maxWords?: number;
  /**
   * Words seen fewer times get no row of their own (default 2): a word seen once has one context,
   * too little for a vector worth its 36 bytes, and the subword fallback covers it as it covers
   * unseen words. On small uploads this halves the table, the largest part of their files.
   */
  minCount?: number;
  seed?: number;
  /** How many of the most frequent words the SVD itself sees (the rest are folded in). Default 5,000. */
  svdWords?: number;
}

/**
 * Learns int8 word vectors for the `maxWords` most frequent word ids seen at least `minCount`
 * times. Ids are frequency-ranked, so the table covers ids 0..count-1; reserved ids and words that
 * never co-occur with another covered word get zero rows.
 */
export function trainEmbeddings(
  corpus: EmbeddingCorpus | NgramCooccurrences,
  counts: Uint32Array,
  options: EmbeddingOptions,
): EmbeddingTable {
  const dim = options.dim;
  const window = options.window ?? DEFAULT_WINDOW;
  const maxWords = options.maxWords ?? DEFAULT_MAX_WORDS;
  const seed = options.seed ?? DEFAULT_SEED;
  const svdWords = options.svdWords ?? SVD_WORDS;
  if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) {
    throw new TrainingInputError(
      'bad-params',
      `embedding dimension must be an integer from 1 to ${MAX_DIM}, got ${dim}`,
    );
  }
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
    throw new TrainingInputError(
      'bad-params',
      `embedding window must be an integer from 1 to ${MAX_WINDOW}, got ${window}`,
    );
  }
  if (!Number.isInteger(svdWords) || svdWords < 1) {
    throw new TrainingInputError('bad-params', `embedding svdWords must be a positive integer, got ${svdWords}`);
  }
  if (!Number.isInteger(maxWords) || maxWords < 0 || maxWords > MAX_WORDS) {
    throw new TrainingInputError(
      'bad-params',
      `embedding maxWords must be an integer from 0 to ${MAX_WORDS}, got ${maxWords}`,
    );
  }

  const minCount = options.minCount ?? DEFAULT_MIN_COUNT;
  if (!Number.isInteger(minCount) || minCount < 1) {
    throw new TrainingInputError('bad-params', `embedding minCount must be a positive integer, got ${minCount}`);
  }
  // Ids are frequency-ranked: the rows stop at the first real word seen fewer than minCount times.
  let rows = Math.min(counts.length, FIRST_WORD_ID + maxWords);
  for (let id = FIRST_WORD_ID; id < rows; id++) {
    if (counts[id] < minCount) {
      rows = id;
      break;
    }
  }
  const table: EmbeddingTable = {
    dim,
    count: rows,
    values: new Int8Array(rows * dim),
    scales: new Float32Array(rows),
  };
  if (rows <= FIRST_WORD_ID) return table;

  if ('levels' in corpus && corpus.levels.length <= window) {
    throw new TrainingInputError(
      'bad-params',
      `embeddings from n-gram counts need order > window (${window}), got ${corpus.levels.length}`,
    );
  }
  const cooccurrence =
    'levels' in corpus
      ? countNgramCooccurrences(corpus.levels, rows, window)
      : countCooccurrences(corpus, rows, window);
  const blockSize = Math.min(rows, FIRST_WORD_ID + svdWords);
  const ppmi = positivePmi(cooccurrence, rows, blockSize);
  if (ppmi.values.length === 0) return table;

  const vectors = truncatedSvdVectors(ppmi, rows, dim, seed, blockSize);
  removeCommonDirection(vectors, rows, dim);
  quantizeRows(vectors, rows, dim, table);
  return table;
}

// ---------------------------------------------------------------------------------------------
// Co-occurrence counting.

/** A sparse rows × rows matrix in compressed-sparse-row form. */
interface SparseRows {
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
 * full matrix is only written out as PPMI (see positivePmi). Each pass is its own function so V8 optimizes each
 * with its own type feedback (one function holding all passes deoptimized at every new pass).
 */
function countCooccurrences(corpus: EmbeddingCorpus, rows: number, window: number): UpperTriangle {
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
function countNgramCooccurrences(levels: readonly CountTrieLevel[], rows: number, window: number): UpperTriangle {
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
  for (let b = 0; b < bounds.length; b += 2) {
    const end = bounds[b + 1];
    for (let i = bounds[b]; i < end; i++) {
      const word = ids[i];
      if (word < FIRST_WORD_ID || word >= rows) continue;
      const last = Math.min(end, i + window + 1);
      for (let j = i + 1; j < last; j++) {
        const context = ids[j];
        if (context < FIRST_WORD_ID || context >= rows) continue;
        upperStart[(context < word ? context : word) + 1]++;
      }
    }
  }
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
  const cursor = upperStart.slice(0, rows);
  for (let b = 0; b < bounds.length; b += 2) {
    const end = bounds[b + 1];
    for (let i = bounds[b]; i < end; i++) {
      const word = ids[i];
      if (word < FIRST_WORD_ID || word >= rows) continue;
      const last = Math.min(end, i + window + 1);
      for (let j = i + 1; j < last; j++) {
        const context = ids[j];
        if (context < FIRST_WORD_ID || context >= rows) continue;
        const distance = j - i;
        if (context < word) events[cursor[context]++] = word * 32 + distance;
        else events[cursor[word]++] = context * 32 + distance;
      }
    }
  }
  return events;
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
function positivePmi(upper: UpperTriangle, rows: number, contexts: number): SparseRows {
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

// ---------------------------------------------------------------------------------------------
// Randomized truncated SVD (Halko, Martinsson & Tropp 2011).
// Dense tall matrices are rows × width, row-major, so a sparse row times them walks memory in order.

/**
 * Returns rows × dim word vectors. The randomized SVD runs on the PPMI block of the `blockSize`
 * most frequent ids (as words and as contexts), whose statistics are reliable. Every word then
 * gets its vector by projecting its PPMI row onto the right singular vectors ("folding in", as in
 * LSA): a_w · V_k · Σ_k^(p−1), which for a word inside the block approximates U_w · Σ_k^p, Levy et al.'s
 * eigenvalue weighting. Keeping rare words out of the decomposition makes it much cheaper and
 * better: their few large PMI values otherwise flatten the spectrum.
 * `matrix` holds only contexts below blockSize (see positivePmi), so its first blockSize rows
 * are the block itself.
 */
function truncatedSvdVectors(
  matrix: SparseRows,
  rows: number,
  dim: number,
  seed: number,
  blockSize: number,
): Float64Array {
  const size = blockSize;
  const rank = Math.min(dim, size - FIRST_WORD_ID);
  if (rank <= 0 || matrix.rowStart[size] === 0) return new Float64Array(rows * dim);
  const block = matrix;
  const blockT = transpose(matrix, size);
  const width = Math.min(rank + OVERSAMPLING, size);
  const random = gaussianRandom(seed);

  // Algorithm 4.3: Y = (A Aᵀ)^q A Ω, Q = orth(Y). Algorithm 4.4 re-orthonormalizes after every
  // product; with one power step in double precision that is unnecessary (it spreads the columns
  // by (σ₁/σ_l)³, a few hundred on PPMI), so columns are only rescaled in between.
  const testMatrix = new Float64Array(size * width);
  for (let i = 0; i < testMatrix.length; i++) testMatrix[i] = random.gaussian();
  let sample = multiply(block, size, testMatrix, width);
  for (let q = 0; q < POWER_ITERATIONS; q++) {
    const back = multiply(blockT, size, normalizeColumns(sample, size, width), width);
    sample = multiply(block, size, normalizeColumns(back, size, width), width);
  }
  const basis = orthonormalizeColumns(sample, size, width, random);

  // Algorithm 5.1 via the small Gram matrix: B = Qᵀ A, B Bᵀ = W Λ Wᵀ, σ = √λ, U = Q W, V = Bᵀ W Σ⁻¹.
  const projectedT = multiply(blockT, size, basis, width); // Bᵀ, size × width
  const gram = new Float64Array(width * width);
  for (let r = 0; r < size; r++) {
    const offset = r * width;
    for (let i = 0; i < width; i++) {
      const bi = projectedT[offset + i];
      if (bi === 0) continue;
      for (let j = i; j < width; j++) gram[i * width + j] += bi * projectedT[offset + j];
    }
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) gram[i * width + j] = gram[j * width + i];
  const { eigenvalues, eigenvectors } = symmetricEigen(gram, width);
  const order = Array.from({ length: width }, (_, i) => i).sort((a, b) => eigenvalues[b] - eigenvalues[a]);

  // Fold-in projection P = V_k Σ_k^(p−1) = Bᵀ W_k Σ_k^(p−2), size × dim (columns ≥ rank stay zero).
  const mix = new Float64Array(width * dim);
  const largest = Math.sqrt(Math.max(eigenvalues[order[0]], 0));
  for (let k = 0; k < rank; k++) {
    const sigma = Math.sqrt(Math.max(0, eigenvalues[order[k]]));
    // Directions the block does not really have (a tiny vocabulary) would only scale up noise.
    if (sigma <= 1e-6 * largest) continue;
    const weight = Math.pow(sigma, EIGENVALUE_WEIGHT - 2);
    for (let m = 0; m < width; m++) mix[m * dim + k] = eigenvectors[m * width + order[k]] * weight;
  }
  const projection = new Float64Array(size * dim);
  denseProduct(projectedT, size, width, mix, dim, projection);
  // Folding the block's own words in too, rather than reading U Σ^p off the basis, applies A once
  // more: with the flat PPMI spectrum that extra step measurably improves their neighbours.
  return multiply(matrix, rows, projection, dim);
}

/** out (rows × outWidth) += left (rows × width) · right (width × outWidth), all row-major. */
function denseProduct(
  left: Float64Array,
  rows: number,
  width: number,
  right: Float64Array,
  outWidth: number,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * outWidth;
    for (let m = 0; m < width; m++) {
      const x = left[r * width + m];
      if (x === 0) continue;
      const ro = m * outWidth;
      for (let k = 0; k < outWidth; k++) out[o + k] += x * right[ro + k];
    }
  }
}

/**
 * A · X for sparse A (rows × n) and dense X (n × width). Four nonzeros are combined per pass over
 * the output row: the output is then loaded and stored a quarter as often, which measured 2.5×
 * faster in V8 than one nonzero at a time.
 */
function multiply(matrix: SparseRows, rows: number, dense: Float64Array, width: number): Float64Array {
  const { rowStart, columns, values } = matrix;
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    const end = rowStart[r + 1];
    let e = rowStart[r];
    for (; e + 3 < end; e += 4) {
      const a0 = values[e];
      const a1 = values[e + 1];
      const a2 = values[e + 2];
      const a3 = values[e + 3];
      const i0 = columns[e] * width;
      const i1 = columns[e + 1] * width;
      const i2 = columns[e + 2] * width;
      const i3 = columns[e + 3] * width;
      for (let j = 0; j < width; j++) {
        out[o + j] += a0 * dense[i0 + j] + a1 * dense[i1 + j] + a2 * dense[i2 + j] + a3 * dense[i3 + j];
      }
    }
    for (; e < end; e++) {
      const a = values[e];
      const i = columns[e] * width;
      for (let j = 0; j < width; j++) out[o + j] += a * dense[i + j];
    }
  }
  return out;
}

/** Aᵀ for a square sparse matrix of `size` rows, by a counting sort on the columns. */
function transpose(matrix: SparseRows, size: number): SparseRows {
  const { rowStart, columns, values } = matrix;
  const nonzeros = rowStart[size];
  const start = new Int32Array(size + 1);
  for (let e = 0; e < nonzeros; e++) start[columns[e] + 1]++;
  for (let c = 0; c < size; c++) start[c + 1] += start[c];
  const cursor = start.slice(0, size);
  const transposedColumns = new Int32Array(nonzeros);
  const transposedValues = new Float32Array(nonzeros);
  for (let r = 0; r < size; r++) {
    for (let e = rowStart[r]; e < rowStart[r + 1]; e++) {
      const at = cursor[columns[e]]++;
      transposedColumns[at] = r;
      transposedValues[at] = values[e];
    }
  }
  return { rowStart: start, columns: transposedColumns, values: transposedValues };
}

/**
 * Orthonormal columns spanning those of `dense` (rows × width, row-major), in place, by modified
 * Gram–Schmidt run twice ("twice is enough": the second pass restores the orthogonality the first
 * loses on the ill-conditioned matrices power iterations produce). The work is done on a
 * column-major copy so every dot product walks contiguous memory. A column that vanishes (rank
 * below width, e.g. a tiny vocabulary) is replaced by a fresh random direction, or zero if even
 * that falls in the span of the others.
 */
function orthonormalizeColumns(dense: Float64Array, rows: number, width: number, random: GaussianRandom): Float64Array {
  const byColumn = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) byColumn[j * rows + r] = dense[r * width + j];
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < width; j++) {
      const column = byColumn.subarray(j * rows, (j + 1) * rows);
      for (let attempt = 0; ; attempt++) {
        const before = norm(column);
        for (let i = 0; i < j; i++) {
          const previous = byColumn.subarray(i * rows, (i + 1) * rows);
          let dot = 0;
          for (let r = 0; r < rows; r++) dot += previous[r] * column[r];
          if (dot !== 0) for (let r = 0; r < rows; r++) column[r] -= dot * previous[r];
        }
        const after = norm(column);
        if (after > 1e-10 * before && after > 0) {
          const inverse = 1 / after;
          for (let r = 0; r < rows; r++) column[r] *= inverse;
          break;
        }
        if (attempt === 2) {
          column.fill(0);
          break;
        }
        for (let r = 0; r < rows; r++) column[r] = random.gaussian();
      }
    }
  }
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) dense[r * width + j] = byColumn[j * rows + r];
  return dense;
}

/** Scales each column of a row-major rows × width matrix to unit length (zero columns stay zero). */
function normalizeColumns(dense: Float64Array, rows: number, width: number): Float64Array {
  const squares = new Float64Array(width);
  for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < width; j++, o++) squares[j] += dense[o] * dense[o];
  for (let j = 0; j < width; j++) squares[j] = squares[j] > 0 ? 1 / Math.sqrt(squares[j]) : 0;
  for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < width; j++, o++) dense[o] *= squares[j];
  return dense;
}

function norm(vector: Float64Array): number {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) squares += vector[i] * vector[i];
  return Math.sqrt(squares);
}

/**
 * Eigendecomposition of a small symmetric matrix by cyclic Jacobi rotations (accurate to machine
 * precision; n ≤ MAX_DIM + OVERSAMPLING is small). Eigenvectors are the columns of the result.
 */
function symmetricEigen(matrix: Float64Array, n: number): { eigenvalues: Float64Array; eigenvectors: Float64Array } {
  const a = matrix.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let offDiagonal = 0;
    let diagonal = 0;
    for (let i = 0; i < n; i++) {
      diagonal += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) offDiagonal += a[i * n + j] * a[i * n + j];
    }
    if (offDiagonal <= 1e-30 * diagonal || offDiagonal === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const eigenvalues = new Float64Array(n);
  for (let i = 0; i < n; i++) eigenvalues[i] = a[i * n + i];
  return { eigenvalues, eigenvectors: v };
}

/**
 * Removes the mean direction shared by all word vectors (Mu & Viswanath 2018, "All-but-the-Top:
 * Simple and Effective Postprocessing for Word Representations", with no principal components
 * removed). Without it every vector leans the same way: averages of many vectors (the subword
 * fallback) collapse onto that direction and a few "hub" words come out nearest to everything.
 * Skipped for tiny vocabularies, where the mean is mostly the words themselves.
 */
function removeCommonDirection(vectors: Float64Array, rows: number, dim: number): void {
  const mean = new Float64Array(dim);
  let words = 0;
  for (let r = FIRST_WORD_ID; r < rows; r++) {
    const offset = r * dim;
    let squares = 0;
    for (let d = 0; d < dim; d++) squares += vectors[offset + d] * vectors[offset + d];
    if (squares === 0 || !Number.isFinite(squares)) continue;
    const inverse = 1 / Math.sqrt(squares);
    for (let d = 0; d < dim; d++) {
      vectors[offset + d] *= inverse;
      mean[d] += vectors[offset + d];
    }
    words++;
  }
  if (words < MIN_WORDS_FOR_CENTERING) return;
  for (let d = 0; d < dim; d++) mean[d] /= words;
  for (let r = FIRST_WORD_ID; r < rows; r++) {
    const offset = r * dim;
    let nonzero = false;
    for (let d = 0; d < dim; d++) nonzero ||= vectors[offset + d] !== 0;
    if (nonzero) for (let d = 0; d < dim; d++) vectors[offset + d] -= mean[d];
  }
}

/** L2-normalizes each row, then stores it as int8 with scale = max |component| / 127. */
export function quantizeRows(vectors: Float64Array, rows: number, dim: number, table: EmbeddingTable): void {
  for (let r = FIRST_WORD_ID; r < rows; r++) {
    const offset = r * dim;
    let squares = 0;
    let largest = 0;
    for (let d = 0; d < dim; d++) {
      const x = vectors[offset + d];
      squares += x * x;
      largest = Math.max(largest, Math.abs(x));
    }
    if (squares === 0 || !Number.isFinite(squares)) continue;
    const norm = Math.sqrt(squares);
    const scale = largest / norm / 127;
    table.scales[r] = scale;
    for (let d = 0; d < dim; d++) table.values[offset + d] = Math.round(vectors[offset + d] / norm / scale);
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup: nearest neighbours over the int8 rows, case-folded and subword fallbacks.

export interface EmbeddingIndex {
  /** Unit vector for a word: its own row, else a case-folded variant's, else its subword estimate; null if none. */
  vectorOf(word: string): Float32Array | null;
  /** The stored (dequantized) row of a word id; null for ids without a vector. */
  rowVector(id: number): Float32Array | null;
  /** The k ids whose rows are most cosine-similar to `vector`, best first. */
  nearest(vector: Float32Array, k: number, exclude?: Set<number>): { id: number; score: number }[];
  /** The k words most similar to `word` (the word itself, or the case variant standing for it, excluded). */
  similar(word: string, k: number): { word: string; score: number }[];
  /** Bytes this index holds now (its arrays, and an estimate of its maps and strings: see heap-estimate.ts). */
  retainedBytes(): number;
}

const MIN_NGRAM = 3;
const MAX_NGRAM = 5;
const MAX_SUBWORD_BUCKETS = 1 << 16;

/**
 * Builds the lookup structures for a table and its vocabulary (ids index both). Cheap: one pass
 * over the rows for norms and a word → id map; the subword index is built on the first lookup
 * of a word that has no row.
 */
export function embeddingIndex(table: EmbeddingTable, vocab: string[]): EmbeddingIndex {
  const { dim, values, scales } = table;
  const rows = Math.min(table.count, vocab.length);
  // 1 / ‖int8 row‖, 0 for rows without a vector: cosine = (row · unit query) / ‖row‖.
  const inverseRowNorm = new Float32Array(rows);
  const idOf = new Map<string, number>();
  const idOfFolded = new Map<string, number>();
  for (let id = 0; id < rows; id++) {
    let squares = 0;
    for (let d = id * dim, end = d + dim; d < end; d++) squares += values[d] * values[d];
    if (squares === 0 || scales[id] === 0) continue;
    inverseRowNorm[id] = 1 / Math.sqrt(squares);
    idOf.set(vocab[id], id);
    // Ids are frequency-ranked, so the first variant seen is the most frequent one.
    const folded = vocab[id].toLowerCase();
    if (!idOfFolded.has(folded)) idOfFolded.set(folded, id);
  }

  const unitRow = (id: number): Float32Array => {
    const vector = new Float32Array(dim);
    const inverse = inverseRowNorm[id];
    for (let d = 0; d < dim; d++) vector[d] = values[id * dim + d] * inverse;
    return vector;
  };

  let subwords: SubwordIndex | null = null;
  const subwordVector = (word: string): Float32Array | null => {
    subwords ??= buildSubwordIndex(vocab, rows, inverseRowNorm);
    const { mask, bucketStart, bucketWords, markedWords } = subwords;
    const total = new Float64Array(dim);
    const ngramSum = new Float64Array(dim);
    let used = 0;
    for (const ngram of new Set(characterNgrams(word.toLowerCase()))) {
      // The bucket lists every word with an n-gram hashing there; keep those that really contain
      // this one, so hash collisions do not blend unrelated words in.
      const bucket = ngramHash(ngram) & mask;
      ngramSum.fill(0);
      let contributors = 0;
      for (let at = bucketStart[bucket]; at < bucketStart[bucket + 1]; at++) {
        const id = bucketWords[at];
        if (!markedWords[id].includes(ngram)) continue;
        contributors++;
        const inverse = inverseRowNorm[id];
        for (let d = 0, o = id * dim; d < dim; d++, o++) ngramSum[d] += values[o] * inverse;
      }
      if (contributors === 0) continue;
      // The n-gram's vector is the average of its words' vectors; it enters the mean with weight
      // 1 / contributors, so a distinctive stem ("<runn", two words) outweighs an ending shared
      // by hundreds ("ings>") that would otherwise pull every plural towards the same nouns.
      const weight = 1 / (contributors * contributors);
      for (let d = 0; d < dim; d++) total[d] += ngramSum[d] * weight;
      used++;
    }
    if (used === 0) return null;
    return normalized(Float32Array.from(total));
  };

  /** The id whose row stands for `word`: its own, else its most frequent case variant's. */
  const knownId = (word: string): number | undefined => idOf.get(word) ?? idOfFolded.get(word.toLowerCase());

  const vectorOf = (word: string): Float32Array | null => {
    const normalizedWord = word.normalize('NFC');
    const id = knownId(normalizedWord);
    if (id !== undefined) return unitRow(id);
    return subwordVector(normalizedWord);
  };

  const rowVector = (id: number): Float32Array | null => {
    if (!Number.isInteger(id) || id < 0 || id >= rows || inverseRowNorm[id] === 0) return null;
    const vector = new Float32Array(dim);
    for (let d = 0; d < dim; d++) vector[d] = values[id * dim + d] * scales[id];
    return vector;
  };

  const nearest = (vector: Float32Array, k: number, exclude?: Set<number>): { id: number; score: number }[] => {
    if (vector.length !== dim || !(k >= 1)) return [];
    const wanted = Math.min(Math.floor(k), rows);
    const query = normalized(vector);
    if (query === null) return [];
    const bestIds: number[] = [];
    const bestScores: number[] = [];
    for (let id = 0; id < rows; id++) {
      const inverse = inverseRowNorm[id];
      if (inverse === 0 || exclude?.has(id)) continue;
      let dot = 0;
      for (let d = 0, o = id * dim; d < dim; d++, o++) dot += values[o] * query[d];
      const score = dot * inverse;
      if (bestIds.length === wanted && score <= bestScores[wanted - 1]) continue;
      // Insertion into the short sorted list of the best k so far (ties keep the lower id first).
      if (bestIds.length < wanted) {
        bestIds.push(id);
        bestScores.push(score);
      } else {
        bestIds[wanted - 1] = id;
        bestScores[wanted - 1] = score;
      }
      for (let at = bestIds.length - 1; at > 0 && bestScores[at - 1] < bestScores[at]; at--) {
        [bestIds[at - 1], bestIds[at]] = [bestIds[at], bestIds[at - 1]];
        [bestScores[at - 1], bestScores[at]] = [bestScores[at], bestScores[at - 1]];
      }
    }
    return bestIds.map((id, i) => ({ id, score: bestScores[i] }));
  };

  const similar = (word: string, k: number): { word: string; score: number }[] => {
    const vector = vectorOf(word);
    if (vector === null) return [];
    const own = knownId(word.normalize('NFC'));
    const exclude = own === undefined ? undefined : new Set([own]);
    return nearest(vector, k, exclude).map(({ id, score }) => ({ word: vocab[id], score }));
  };

  const mapBytes = inverseRowNorm.byteLength + heapEstimate.mapEntry * (idOf.size + idOfFolded.size);
  let subwordBytes = 0;
  const retainedBytes = (): number => {
    if (subwords !== null && subwordBytes === 0) {
      subwordBytes =
        subwords.bucketStart.byteLength + subwords.bucketWords.byteLength + heapEstimate.strings(subwords.markedWords);
    }
    return mapBytes + subwordBytes;
  };

  return { vectorOf, rowVector, nearest, similar, retainedBytes };
}

interface SubwordIndex {
  mask: number;
  /** Words whose n-grams hash to bucket b: bucketWords[bucketStart[b] .. bucketStart[b + 1]). */
  bucketStart: Int32Array;
  bucketWords: Int32Array;
  /** `<word>` lower-cased, per id ('' for ids without a vector). */
  markedWords: string[];
}

/** Inverted index from n-gram bucket to the words (with vectors) containing an n-gram in it. */
function buildSubwordIndex(vocab: string[], rows: number, inverseRowNorm: Float32Array): SubwordIndex {
  let bucketCount = 256;
  while (bucketCount < rows * 8 && bucketCount < MAX_SUBWORD_BUCKETS) bucketCount *= 2;
  const mask = bucketCount - 1;
  const markedWords: string[] = new Array<string>(rows).fill('');
  const bucketsOfWord: Int32Array[] = new Array<Int32Array>(rows);
  const sizes = new Int32Array(bucketCount + 1);
  const scratch: number[] = [];
  for (let id = 0; id < rows; id++) {
    if (inverseRowNorm[id] === 0) continue;
    const marked = `<${vocab[id].toLowerCase()}>`;
    markedWords[id] = marked;
    scratch.length = 0;
    ngramBucketsOf(marked, mask, scratch);
    // A word is listed once per bucket however many of its n-grams land there.
    const buckets = Int32Array.from(scratch).sort();
    let unique = 0;
    for (let i = 0; i < buckets.length; i++)
      if (i === 0 || buckets[i] !== buckets[i - 1]) buckets[unique++] = buckets[i];
    bucketsOfWord[id] = buckets.subarray(0, unique);
    for (let i = 0; i < unique; i++) sizes[buckets[i] + 1]++;
  }
  const bucketStart = new Int32Array(bucketCount + 1);
  for (let b = 0; b < bucketCount; b++) bucketStart[b + 1] = bucketStart[b] + sizes[b + 1];
  const cursor = bucketStart.slice(0, bucketCount);
  const bucketWords = new Int32Array(bucketStart[bucketCount]);
  for (let id = 0; id < rows; id++) {
    const buckets = bucketsOfWord[id];
    if (buckets === undefined) continue;
    for (let i = 0; i < buckets.length; i++) bucketWords[cursor[buckets[i]]++] = id;
  }
  return { mask, bucketStart, bucketWords, markedWords };
}

/**
 * Appends the buckets of every 3–5 code-point n-gram of `marked` (a word with its < > markers),
 * hashing incrementally instead of building each n-gram's string. Same hashes as ngramHash.
 */
function ngramBucketsOf(marked: string, mask: number, out: number[]): void {
  const starts: number[] = [];
  for (let i = 0; i < marked.length; i += marked.codePointAt(i)! > 0xffff ? 2 : 1) starts.push(i);
  starts.push(marked.length);
  const characters = starts.length - 1;
  for (let first = 0; first < characters; first++) {
    let hash = FNV_OFFSET;
    for (let length = 1; length <= MAX_NGRAM && first + length <= characters; length++) {
      for (let unit = starts[first + length - 1]; unit < starts[first + length]; unit++) {
        hash ^= marked.charCodeAt(unit);
        hash = Math.imul(hash, FNV_PRIME);
      }
      if (length >= MIN_NGRAM) out.push((hash >>> 0) & mask);
    }
  }
}

/** The character n-grams (3–5 code points) of `<word>`. */
function characterNgrams(word: string): string[] {
  const characters = Array.from(`<${word}>`);
  const ngrams: string[] = [];
  for (let length = MIN_NGRAM; length <= MAX_NGRAM; length++) {
    for (let start = 0; start + length <= characters.length; start++) {
      ngrams.push(characters.slice(start, start + length).join(''));
    }
  }
  return ngrams;
}

/** 32-bit FNV-1a over UTF-16 code units. */
function ngramHash(ngram: string): number {
  return fnv1a(ngram);
}

function normalized(vector: Float32Array): Float32Array | null {
  let squares = 0;
  for (let d = 0; d < vector.length; d++) squares += vector[d] * vector[d];
  if (squares === 0 || !Number.isFinite(squares)) return null;
  const inverse = 1 / Math.sqrt(squares);
  const out = new Float32Array(vector.length);
  for (let d = 0; d < vector.length; d++) out[d] = vector[d] * inverse;
  return out;
}
