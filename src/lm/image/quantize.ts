// What the image narrows, and by how much its answers may differ from the exact model's.
//
// Probabilities (bigrams and up) and backoffs (contexts above the unigrams) are quantized per
// order, as KenLM's `-q 8 -b 8`: the natural logs of one order's values are sorted and cut into
// 256 bins of equal count; a value's code is its bin, and the bin's entry in the codebook is the
// mean of the logs it holds (stored as the value, a 32-bit float). Codes follow the order of the
// values, so sorting nodes by code sorts them by probability. A query multiplies one probability
// and at most order − 1 backoffs, so its log is within the largest bin half-width of the
// probabilities plus order − 1 times that of the backoffs (QueryArrays.logErrorBound); the mean
// error is far smaller, and the perplexity moves by a fraction of a percent (docs/model.md).
// Unigrams keep 32-bit floats (each rounded once, relative error ≤ 2^-24).
//
// Word ids take 16 bits when the vocabulary has at most 65,536 words (every model of up to a few
// megabytes of text: ceil(log2 |V|) is 16 for Brown's 52,256 words), 32 otherwise.

import type { WordArray } from '../graph.js';
import type { ProbabilityArray } from '../interpolate.js';
import { CODEBOOK_SIZE } from '../query-graph.js';

/** Largest relative error of a value stored as a 32-bit float. */
export const STORED_RELATIVE_ERROR = 2 ** -24;

/** Bytes per word id in an image of a vocabulary of this size. */
function wordBytesFor(vocabularySize: number): 2 | 4 {
  return vocabularySize <= 0x10000 ? 2 : 4;
}

/** The word ids as the image stores them (a view when they already have that width). */
export function narrowWords(words: WordArray, vocabularySize: number): Uint16Array | Int32Array {
  if (wordBytesFor(vocabularySize) === 4) return words instanceof Int32Array ? words : new Int32Array(words);
  return words instanceof Uint16Array ? words : new Uint16Array(words);
}

/** Values rounded to 32-bit floats (a view when they already are). */
export function toFloat32(values: ProbabilityArray): Float32Array {
  return values instanceof Float32Array ? values : new Float32Array(values);
}

/** Bins placed by count and bins placed by width: half the codebook each. */
const HALF = CODEBOOK_SIZE / 2;
/** Values sorted to place the bins (a larger order is sampled). */
const SAMPLE = 1 << 16;

/**
 * Lower bounds (in the log domain) of bins 1..: half at equal counts of the sorted logs, so dense
 * regions get fine bins, and half at equal widths between the smallest and largest, so the sparse
 * tails (the few large probabilities) never share one wide bin: with equal counts alone, the top
 * bin of a small model's trigrams spans 0.006–0.3 and codes them all as 0.01.
 */
function binBounds(sorted: Float64Array): Float64Array {
  const n = sorted.length;
  let first = 0;
  while (first < n && !Number.isFinite(sorted[first])) first++;
  const bounds: number[] = [];
  if (first < n) {
    const low = sorted[first];
    const high = sorted[n - 1];
    for (let b = 1; b < HALF; b++) {
      bounds.push(sorted[first + Math.floor((b * (n - first)) / HALF)]);
      bounds.push(low + ((high - low) * b) / HALF);
    }
  }
  bounds.sort((a, b) => a - b);
  return Float64Array.from(bounds.filter((bound, i) => i === 0 || bound > bounds[i - 1]));
}

/** Cells of the grid that finds a value's code (codeGrid). */
const GRID = 1 << 14;

/** For GRID equal cells from the lowest bound up: the number of bounds at or below each cell's start. */
function codeGrid(bounds: Float64Array): { low: number; scale: number; codes: Uint8Array } {
  const codes = new Uint8Array(GRID);
  if (bounds.length === 0) return { low: Number.POSITIVE_INFINITY, scale: 0, codes };
  const low = bounds[0];
  const span = bounds[bounds.length - 1] - low;
  const scale = span > 0 ? GRID / span : 0;
  let code = 0;
  for (let cell = 0; cell < GRID; cell++) {
    const start = low + cell / scale;
    while (code < bounds.length && bounds[code] <= start) code++;
    codes[cell] = code;
  }
  return { low, scale, codes };
}

/**
 * Quantizes values[from, to) into codes[from, to) and the CODEBOOK_SIZE entries of `table` from
 * `tableAt`: a value's code is the number of bin bounds at or below its log, its entry the mean
 * of the logs of its bin. Returns the largest |ln entry − ln value| over the range (0 for an
 * empty range). A zero (never a probability; a backoff only in a degenerate model) is coded into
 * the lowest bin and not counted in the error.
 */
export function quantizeRange(
  values: ProbabilityArray,
  from: number,
  to: number,
  codes: Uint8Array,
  table: Float32Array,
  tableAt: number,
): number {
  const n = to - from;
  table.fill(1, tableAt, tableAt + CODEBOOK_SIZE);
  if (n <= 0) return 0;
  const logs = new Float64Array(n);
  let lowest = Math.log(values[from]);
  let highest = lowest;
  for (let i = 0; i < n; i++) {
    const v = Math.log(values[from + i]);
    logs[i] = v;
    if (v < lowest) lowest = v;
    if (v > highest) highest = v;
  }
  // The bins are placed from a sorted sample of every stride-th value, with the extremes: sorting
  // Brown's 1.9 M 5-gram logs alone took ~250 ms of the image's writing.
  const stride = Math.ceil(n / SAMPLE);
  let sample = logs;
  if (stride > 1) {
    sample = new Float64Array(Math.ceil(n / stride) + 2);
    for (let i = 0, j = 0; i < n; i += stride) sample[j++] = logs[i];
    sample[sample.length - 2] = lowest;
    sample[sample.length - 1] = highest;
  }
  const bounds = binBounds(stride > 1 ? sample.sort() : logs.slice().sort());
  const sum = new Float64Array(CODEBOOK_SIZE);
  const count = new Float64Array(CODEBOOK_SIZE);
  const low = new Float64Array(CODEBOOK_SIZE).fill(Number.POSITIVE_INFINITY);
  const high = new Float64Array(CODEBOOK_SIZE).fill(Number.NEGATIVE_INFINITY);
  const { low: gridLow, scale: gridScale, codes: gridCodes } = codeGrid(bounds);
  const nb = bounds.length;
  for (let i = 0; i < n; i++) {
    const v = logs[i];
    // Bounds at or below v: the code. The grid gives it at the start of v's cell; the few bounds
    // within the cell are stepped over (a binary search's unpredictable branches cost 3× more).
    let code = 0;
    if (v >= gridLow) {
      const cell = (v - gridLow) * gridScale;
      code = gridCodes[cell < GRID - 1 ? cell | 0 : GRID - 1];
      while (code < nb && bounds[code] <= v) code++;
      // A cell start rounded past v: the bound it counted is above v.
      while (code > 0 && bounds[code - 1] > v) code--;
    }
    codes[from + i] = code;
    const lo = code;
    if (Number.isFinite(v)) {
      sum[lo] += v;
      count[lo]++;
      if (v < low[lo]) low[lo] = v;
      if (v > high[lo]) high[lo] = v;
    }
  }
  let error = 0;
  let previous = 0;
  for (let b = 0; b < CODEBOOK_SIZE; b++) {
    // An empty bin is never read; its entry repeats the one below, keeping the table in order.
    const entry = count[b] > 0 ? Math.fround(Math.exp(sum[b] / count[b])) : previous;
    previous = entry;
    table[tableAt + b] = entry;
    if (count[b] > 0) {
      const stored = Math.log(entry);
      error = Math.max(error, Math.abs(stored - low[b]), Math.abs(high[b] - stored));
    }
  }
  return error;
}
