// What the image narrows, and by how much its answers may differ from the exact model's.
//
// Probabilities and backoffs are stored as 32-bit floats, not the 64-bit doubles the estimator
// computes: each value is rounded once, to within 2^-24 of itself (relative), so a query that
// multiplies at most `order` backoffs and one probability is within (order + 1)·2^-24 of the
// exact answer, and a perplexity within that too — far inside the 0.5 % the issue allows, so the
// generated texts and the scores are those of the exact model to six or seven digits. (An 8-bit
// codebook, as KenLM's `-q 8 -b 8`, would save 3 of these 4 bytes per value: see docs/model.md,
// "The model image", for what is and is not done.) The running shares (`cumulative`) already are
// 32-bit floats in every model.
//
// Word ids take 16 bits when the vocabulary has at most 65,536 words (every model of up to a few
// megabytes of text), 32 otherwise.

import type { WordArray } from '../graph.js';
import type { ProbabilityArray } from '../interpolate.js';

/** Largest relative error of one stored probability or backoff. */
export const STORED_RELATIVE_ERROR = 2 ** -24;

/** Largest relative error of p(w | h) read from an image of a model of this order. */
export function queryRelativeError(order: number): number {
  return (order + 1) * STORED_RELATIVE_ERROR * (1 + 1e-6);
}

/** Bytes per word id in an image of a vocabulary of this size. */
export function wordBytesFor(vocabularySize: number): 2 | 4 {
  return vocabularySize <= 0x10000 ? 2 : 4;
}

/** The word ids as the image stores them (a view when they already have that width). */
export function narrowWords(words: WordArray, vocabularySize: number): Uint16Array | Int32Array {
  if (wordBytesFor(vocabularySize) === 4) return words instanceof Int32Array ? words : new Int32Array(words);
  return words instanceof Uint16Array ? words : new Uint16Array(words);
}

/** Probabilities or backoffs rounded to 32-bit floats (a view when they already are). */
export function toFloat32(values: ProbabilityArray): Float32Array {
  return values instanceof Float32Array ? values : new Float32Array(values);
}
