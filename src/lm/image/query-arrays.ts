// The exact model's arrays → the query graph's (what the image stores and every model generates
// from): codes and codebooks per order, bit-packed child starts and suffix links. Run when an
// image is written, and the first time a trained or decoded model generates.

import type { PatternGraph } from '../graph.js';
import type { Interpolation } from '../interpolate.js';
import { UnaryStarts } from '../unary-starts.js';
import { PackedInts } from '../packed-ints.js';
import { CODEBOOK_SIZE, linkedEndOf, type QueryArrays } from '../query-graph.js';
import { RankBits } from '../rank-bits.js';
import { checkpointsFor, RunShares, SHARE_CHECKPOINT } from '../run-shares.js';
import { impliedBackoffsOf } from './implied-backoffs.js';
import { narrowWords, quantizeRange, STORED_RELATIVE_ERROR, toFloat32 } from './quantize.js';

/** What queryArraysOf reads of a model: views of its arrays, plain data for postMessage. */
export interface QuerySource {
  graph: QuerySourceGraph;
  estimate: Interpolation;
}

type QuerySourceGraph = Pick<PatternGraph, 'order' | 'vocabularySize' | 'offsets' | 'word' | 'childStart' | 'suffix'>;

/** `linkedLevels`: how many levels' suffix links to store, from the trigrams (LINKED_LEVELS). */
export function queryArraysOf(
  graph: QuerySourceGraph,
  estimate: Interpolation,
  linkedLevels: number = LINKED_LEVELS,
): QueryArrays {
  return { ...queryArraysBesideShares(graph, estimate, linkedLevels), shares: runSharesOf(graph, estimate.cumulative) };
}

/**
 * queryArraysOf but the run shares, which are computed apart (runSharesOf): `ultra train`'s two
 * threads compute one part each.
 */
export function queryArraysBesideShares(
  graph: QuerySourceGraph,
  estimate: Interpolation,
  linkedLevels: number = LINKED_LEVELS,
): Omit<QueryArrays, 'shares'> {
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
  const backoffs = impliedBackoffsOf(graph, backoff);

  const childStart = graph.childStart.subarray(0, contexts + 1);
  return {
    order,
    vocabularySize,
    offsets: Int32Array.from(offsets),
    word: narrowWords(graph.word, vocabularySize),
    childStart: UnaryStarts.pack(childStart),
    ...suffixLinksOf(graph, linkedLevels),
    unigramProb: toFloat32(prob.subarray(0, vocabularySize)),
    probCode,
    probTable,
    unigramBackoff: toFloat32(backoff.subarray(0, Math.min(vocabularySize, contexts))),
    backoffImplied: backoffs.implied,
    impliedBackoff: backoffs.impliedBackoff,
    backoffCode: backoffs.backoffCode,
    backoffTable: backoffs.backoffTable,
    unigramCumulative: toFloat32(estimate.cumulative.subarray(0, vocabularySize)),
    rootBackoff: estimate.rootBackoff,
    uniform: estimate.uniform,
    // Plus the float rounding of the unigram and its backoffs, and of the table entries.
    logErrorBound: probError + (order - 1) * backoffs.error + 2 * order * STORED_RELATIVE_ERROR,
  };
}

/**
 * The discounted shares above the unigrams (each node's step of its run's running share), coded
 * per order for the runs of more than one continuation, with the running sum of the decoded
 * shares at the end of every whole block of SHARE_CHECKPOINT codes (QueryArrays.shares).
 */
export function runSharesOf(graph: QuerySourceGraph, cumulative: Float32Array): RunShares {
  const { offsets, order, childStart } = graph;
  const contexts = offsets[order - 1];
  const single = new Uint8Array(contexts);
  // levelStart[k]: the first coded child of a context of level k; levelStart[order − 1]: all of them.
  const levelStart = new Int32Array(order);
  const shares = new Float64Array(offsets[order] - graph.vocabularySize);
  let coded = 0;
  let level = 0;
  for (let context = 0; context < contexts; context++) {
    while (context >= offsets[level + 1]) levelStart[++level] = coded;
    const from = childStart[context];
    const to = childStart[context + 1];
    if (to - from === 1) single[context] = 1;
    if (to - from < 2) continue;
    // A run without mass (a pruned one whose counts were not stored) is never drawn from: γ is 1.
    for (let x = from; x < to; x++) shares[coded++] = Math.max(0, cumulative[x] - (x > from ? cumulative[x - 1] : 0));
  }
  for (let k = level + 1; k < order; k++) levelStart[k] = coded;
  const code = new Uint8Array(coded);
  const table = new Float32Array(CODEBOOK_SIZE * (order - 1));
  for (let k = 0; k + 1 < order; k++)
    quantizeRange(shares, levelStart[k], levelStart[k + 1], code, table, k * CODEBOOK_SIZE);
  const checkpoint = new Float32Array(checkpointsFor(code.length));
  let at = 0;
  for (let context = 0, contextLevel = 0; context < contexts; context++) {
    while (context >= offsets[contextLevel + 1]) contextLevel++;
    const length = childStart[context + 1] - childStart[context];
    if (length < 2) continue;
    const base = contextLevel * CODEBOOK_SIZE;
    let running = 0;
    for (const end = at + length; at < end; at++) {
      running += table[base | code[at]];
      if (at % SHARE_CHECKPOINT === SHARE_CHECKPOINT - 1) checkpoint[(at + 1) / SHARE_CHECKPOINT - 1] = running;
    }
  }
  return new RunShares(code, table, checkpoint, RankBits.of(single));
}

/**
 * Levels, from the trigrams, whose suffix links the query graph stores; those of the contexts
 * above are searched from the parent's (QueryGraph.suffixOf, KenLM's re-query). None: on Brown's
 * order 5 the links took 1.52 bytes per n-gram in layout 2 (0.61 for the trigrams' alone at their
 * level's width), and searching them with a memo left exact sampling above 1 M tokens/s
 * (docs/model.md). A reader takes an image with any number of them.
 */
const LINKED_LEVELS = 0;

/**
 * The stored suffix links (trigrams up to linkedTo), each less the smallest of its level: a
 * level's links point into the level below (in a pruned trie, possibly lower), so they take the
 * bits of that level's size instead of those of every context.
 */
function suffixLinksOf(
  graph: QuerySourceGraph,
  linkedLevels: number,
): { suffix: PackedInts; suffixBases: Int32Array; linkedTo: number } {
  const { offsets, order, suffix } = graph;
  const contexts = offsets[order - 1];
  const linkedFrom = offsets[Math.min(2, order)];
  const levels = Math.max(0, Math.min(linkedLevels, order - 3));
  const linkedTo = linkedEndOf(offsets, order, levels);
  const suffixBases = new Int32Array(levels);
  const relative = new Uint32Array(Math.max(0, linkedTo - linkedFrom));
  for (let k = 2; k < 2 + levels; k++) {
    let base = contexts;
    for (let node = offsets[k]; node < offsets[k + 1]; node++) base = Math.min(base, suffix[node]);
    if (offsets[k] === offsets[k + 1]) base = 0;
    suffixBases[k - 2] = base;
    for (let node = offsets[k]; node < offsets[k + 1]; node++) relative[node - linkedFrom] = suffix[node] - base;
  }
  return { suffix: PackedInts.pack(relative), suffixBases, linkedTo };
}
