// The exact model's arrays → the query graph's (what the image stores and every model generates
// from): codes and codebooks per order, bit-packed child starts and suffix links. Run when an
// image is written, and the first time a trained or decoded model generates.

import type { PatternGraph } from '../graph.js';
import type { Interpolation } from '../interpolate.js';
import { BlockPackedInts } from '../block-packed-ints.js';
import { bitsFor, PackedInts } from '../packed-ints.js';
import { CODEBOOK_SIZE, RUN_SHARE_SCALE, type QueryArrays } from '../query-graph.js';
import { narrowWords, quantizeRange, STORED_RELATIVE_ERROR, toFloat32 } from './quantize.js';

export function queryArraysOf(graph: PatternGraph, estimate: Interpolation): QueryArrays {
  const { order, vocabularySize, offsets } = graph;
  const total = offsets[order];
  const contexts = offsets[order - 1];
  const { prob, backoff } = estimate;

  const probCode = new Uint8Array(total);
  const probTable = new Float32Array(CODEBOOK_SIZE * (order - 1));
  let probError = 0;
  for (let k = 1; k < order; k++)
    probError = Math.max(
      probError,
      quantizeRange(prob, offsets[k], offsets[k + 1], probCode, probTable, (k - 1) * CODEBOOK_SIZE),
    );
  const backoffCode = new Uint8Array(contexts);
  const backoffTable = new Float32Array(CODEBOOK_SIZE * Math.max(0, order - 2));
  let backoffError = 0;
  for (let k = 1; k + 1 < order; k++)
    backoffError = Math.max(
      backoffError,
      quantizeRange(backoff, offsets[k], offsets[k + 1], backoffCode, backoffTable, (k - 1) * CODEBOOK_SIZE),
    );

  const linkedFrom = offsets[Math.min(2, order)];
  const childStart = graph.childStart.subarray(0, contexts + 1);
  return {
    order,
    vocabularySize,
    offsets: Int32Array.from(offsets),
    word: narrowWords(graph.word, vocabularySize),
    childStart: BlockPackedInts.pack(childStart),
    suffix: PackedInts.pack(graph.suffix.subarray(linkedFrom, Math.max(linkedFrom, contexts)), bitsFor(contexts)),
    unigramProb: toFloat32(prob.subarray(0, vocabularySize)),
    probCode,
    probTable,
    unigramBackoff: toFloat32(backoff.subarray(0, Math.min(vocabularySize, contexts))),
    backoffCode,
    backoffTable,
    unigramCumulative: toFloat32(estimate.cumulative.subarray(0, vocabularySize)),
    runShare: runSharesOf(graph, estimate.cumulative),
    rootBackoff: estimate.rootBackoff,
    uniform: estimate.uniform,
    // Plus the float rounding of the unigram and its backoffs, and of the table entries.
    logErrorBound: probError + (order - 1) * backoffError + 2 * order * STORED_RELATIVE_ERROR,
  };
}

/** The running shares above the unigrams as 16-bit fractions of each run's whole (QueryArrays.runShare). */
function runSharesOf(graph: PatternGraph, cumulative: Float32Array): Uint16Array {
  const { offsets, order, vocabularySize, childStart } = graph;
  const shares = new Uint16Array(offsets[order] - vocabularySize);
  for (let context = 0; context < offsets[order - 1]; context++) {
    const from = childStart[context];
    const to = childStart[context + 1];
    const whole = to > from ? cumulative[to - 1] : 0;
    // A run without mass (a pruned one whose counts were not stored) is never drawn from: γ is 1.
    if (!(whole > 0)) continue;
    for (let x = from; x < to; x++)
      shares[x - vocabularySize] =
        x === to - 1 ? RUN_SHARE_SCALE : Math.round((cumulative[x] / whole) * RUN_SHARE_SCALE);
  }
  return shares;
}
