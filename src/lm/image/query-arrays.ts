// The exact model's arrays → the query graph's (what the image stores and every model generates
// from): codes and codebooks per order, bit-packed child starts and suffix links. Run when an
// image is written, and the first time a trained or decoded model generates.

import type { PatternGraph } from '../graph.js';
import type { Interpolation } from '../interpolate.js';
import { BlockPackedInts } from '../block-packed-ints.js';
import { bitsFor, PackedInts } from '../packed-ints.js';
import { CODEBOOK_SIZE, type QueryArrays } from '../query-graph.js';
import { checkpointsFor, RunShares, SHARE_CHECKPOINT } from '../run-shares.js';
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
    shares: runSharesOf(graph, estimate.cumulative),
    rootBackoff: estimate.rootBackoff,
    uniform: estimate.uniform,
    // Plus the float rounding of the unigram and its backoffs, and of the table entries.
    logErrorBound: probError + (order - 1) * backoffError + 2 * order * STORED_RELATIVE_ERROR,
  };
}

/**
 * The discounted shares above the unigrams (each node's step of its run's running share), coded
 * per order, with the running sum of the decoded shares at the end of every whole block of
 * SHARE_CHECKPOINT nodes (QueryArrays.shares).
 */
function runSharesOf(graph: PatternGraph, cumulative: Float32Array): RunShares {
  const { offsets, order, vocabularySize: v, childStart } = graph;
  const nodes = offsets[order] - v;
  const shares = new Float64Array(nodes);
  for (let context = 0; context < offsets[order - 1]; context++) {
    const from = childStart[context];
    const to = childStart[context + 1];
    // A run without mass (a pruned one whose counts were not stored) is never drawn from: γ is 1.
    for (let x = from; x < to; x++) shares[x - v] = Math.max(0, cumulative[x] - (x > from ? cumulative[x - 1] : 0));
  }
  const code = new Uint8Array(nodes);
  const table = new Float32Array(CODEBOOK_SIZE * (order - 1));
  for (let k = 1; k < order; k++)
    quantizeRange(shares, offsets[k] - v, offsets[k + 1] - v, code, table, (k - 1) * CODEBOOK_SIZE);
  const checkpoint = new Float32Array(checkpointsFor(nodes));
  for (let context = 0, level = 0; context < offsets[order - 1]; context++) {
    while (context >= offsets[level + 1]) level++;
    const base = level * CODEBOOK_SIZE;
    let running = 0;
    for (let x = childStart[context]; x < childStart[context + 1]; x++) {
      const at = x - v;
      running += table[base | code[at]];
      if (at % SHARE_CHECKPOINT === SHARE_CHECKPOINT - 1) checkpoint[(at + 1) / SHARE_CHECKPOINT - 1] = running;
    }
  }
  return new RunShares(code, table, checkpoint);
}
