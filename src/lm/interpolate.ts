// Stage 4, probabilities (KenLM: initial_probabilities + interpolate). For a context h with
// continuations x = h w, interpolated modified Kneser-Ney gives
//   p(w | h) = (a(hw) − D(a(hw))) / Σx a(hx) + γ(h) · p(w | h′),   h′ = h without its first word,
//   γ(h)    = (D1 N1(h•) + D2 N2(h•) + D3+ N3+(h•)) / Σx a(hx),
// and at the bottom p(w) interpolates with the uniform distribution over the vocabulary
// including <unk> and </s> but excluding <s> (lmplz's `uniform_prob_`). <unk>, whose adjusted
// count is 0, gets exactly γ(ε)/|V| (lmplz with its default --interpolate_unigrams).
//
// Words that are not continuations of h get γ(h)·p(w|h′): `backoff[h]` is γ(h), and a context
// with no stored continuations passes through with backoff 1. A pruned model keeps, per context,
// the adjusted counts of its pruned continuations (`prunedMass`): they stay in the denominator and
// their whole mass joins γ, exactly as lmplz --prune does, so every distribution still sums to 1.
//
// `cumulative` holds, within each context's run of continuations, the running sum of the
// discounted shares (a − D)/Σa, so sampling picks a continuation with one binary search. It is
// written over the adjusted counts it is computed from (a node's count is read before its share is
// written, and nothing reads it afterwards): same 4 bytes per node, so training and loading never
// hold both, which takes one array of every n-gram off their peak memory.

import { heapArrays, type ArrayAllocator } from './arrays.js';
import { ROOT, findChild, type PatternGraph } from './graph.js';
import type { Discount } from './discount.js';
import { BOS_ID } from './types.js';

/**
 * Probabilities as training and a model file's decode compute them (Float64, exact), or as a
 * model image holds them (Float32: see src/lm/image/).
 */
export type ProbabilityArray = Float64Array | Float32Array;

export interface Interpolation {
  /** p(w | h) for every stored n-gram h w (for unigrams, p(w)); 0 for the <s> unigram. */
  prob: ProbabilityArray;
  /** γ(h) for every node below the highest level (1 when it has no continuations). */
  backoff: ProbabilityArray;
  /** Running discounted share within each run of siblings (unigrams: over the whole level). */
  cumulative: Float32Array;
  /** γ(ε): the share of unigram mass spread uniformly. */
  rootBackoff: number;
  /** Uniform probability 1/|V| (vocabulary without <s>). */
  uniform: number;
}

function discounted(a: number, d: Discount): number {
  return a === 0 ? 0 : a === 1 ? 1 - d[0] : a === 2 ? 2 - d[1] : a - d[2];
}

/** Consumes `adjusted`: its buffer becomes the returned `cumulative` (copy it first to keep it). */
export function interpolate(
  graph: PatternGraph,
  adjusted: Uint32Array,
  discounts: Discount[],
  prunedMass?: (Uint32Array | undefined)[],
  arrays: ArrayAllocator = heapArrays,
): Interpolation {
  const { order, offsets } = graph;
  const total = offsets[order];
  const vocabularySize = graph.vocabularySize;
  const prob = arrays.float64(total);
  // Every entry is written by interpolateLevel (1 where a context has no continuations).
  const backoff = arrays.float64(offsets[order - 1]);
  if (adjusted.length !== total) throw new RangeError('interpolate: one adjusted count per node');
  const cumulative = new Float32Array(adjusted.buffer, adjusted.byteOffset, total);

  // Unigrams: the root's continuations are the whole vocabulary.
  const d0 = discounts[0];
  let denominator = 0;
  let gammaNumerator = 0;
  for (let w = 0; w < vocabularySize; w++) {
    const a = adjusted[w];
    denominator += a;
    gammaNumerator += a - discounted(a, d0);
  }
  const uniform = 1 / (vocabularySize - 1);
  const rootBackoff = denominator > 0 ? gammaNumerator / denominator : 1;
  let running = 0;
  for (let w = 0; w < vocabularySize; w++) {
    const share = denominator > 0 ? discounted(adjusted[w], d0) / denominator : 0;
    running += share;
    cumulative[w] = running;
    prob[w] = w === BOS_ID ? 0 : share + rootBackoff * uniform;
  }

  for (let k = 1; k < order; k++) {
    interpolateLevel(
      graph,
      k,
      adjusted,
      discounts[k],
      prunedMass !== undefined ? prunedMass[k - 1] : undefined,
      prob,
      backoff,
      cumulative,
    );
  }
  return { prob, backoff, cumulative, rootBackoff, uniform };
}

/**
 * The probabilities of level k from those of level k − 1. Its own function so each level's loop
 * is optimized on its own. The discount of an adjusted count a is D[min(a, 3)] with D[0] = 0:
 * a table load instead of branches the processor cannot predict (a is 1, 2 or more at random).
 *
 * The lower-order probabilities p(w | h′) are gathered first, in a loop of independent loads over
 * the level (each context's continuations have their suffixes in a run elsewhere in level k − 1,
 * so these loads miss the cache): the processor overlaps the misses, which the main loop's
 * dependent arithmetic does not let it do. Measured on Brown order 5: 44–51 → 33–35 ms for all levels.
 */
function interpolateLevel(
  graph: PatternGraph,
  k: number,
  adjusted: Uint32Array,
  discount: Discount,
  pruned: Uint32Array | undefined,
  prob: Float64Array,
  backoff: Float64Array,
  cumulative: Float32Array,
): void {
  const { offsets, childStart, suffix, word } = graph;
  const table = Float64Array.of(0, discount[0], discount[1], discount[2]);
  const contextBase = offsets[k - 1];
  const contextEnd = offsets[k];
  const exactSuffixLevel = offsets[k - 1];
  // p(w | h′) is the stored probability of the suffix n-gram h′w when it is exactly one level down
  // (always, in a trie built from text); otherwise −1 here, and it is walked below.
  for (let x = offsets[k], end = offsets[k + 1]; x < end; x++) {
    const s = suffix[x];
    prob[x] = s >= exactSuffixLevel ? prob[s] : -1;
  }
  let to = childStart[contextBase];
  for (let context = contextBase; context < contextEnd; context++) {
    const from = to;
    to = childStart[context + 1];
    if (from === to) {
      backoff[context] = 1; // no continuations: everything passes through
      continue;
    }
    const extra = pruned !== undefined ? pruned[context - contextBase] : 0;
    let sum = extra;
    let gammaSum = extra;
    for (let x = from; x < to; x++) {
      const a = adjusted[x];
      sum += a;
      gammaSum += table[a < 3 ? a : 3];
    }
    // All continuations with adjusted count 0 (possible only in a pruned trie whose adjusted
    // counts were not stored): they carry no mass of their own and pass everything through.
    const gamma = sum > 0 ? gammaSum / sum : 1;
    backoff[context] = gamma;
    const inverse = sum > 0 ? 1 / sum : 0;
    let runningShare = 0;
    for (let x = from; x < to; x++) {
      const a = adjusted[x];
      const share = (a - table[a < 3 ? a : 3]) * inverse;
      runningShare += share;
      cumulative[x] = runningShare;
      let lower = prob[x];
      if (lower < 0) lower = lowerProbability(graph, prob, backoff, suffix[context], word[x]);
      prob[x] = share + gamma * lower;
    }
  }
}

/** p(w | context) by walking the backoff chain from `context` (ROOT = empty context). */
function lowerProbability(
  graph: PatternGraph,
  prob: Float64Array,
  backoff: Float64Array,
  context: number,
  word: number,
): number {
  let weight = 1;
  for (;;) {
    const child = findChild(graph, context, word);
    if (child >= 0) return weight * prob[child];
    weight *= backoff[context];
    context = context === ROOT ? ROOT : graph.suffix[context];
  }
}
