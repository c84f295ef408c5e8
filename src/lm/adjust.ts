// Stage 2, adjusted counts (KenLM: adjust_counts). Kneser-Ney estimates a lower-order
// distribution from how many distinct words precede an n-gram, not how often it occurs:
// a(w1…wn) = N1+(• w1…wn) for every order below the highest, which keeps raw counts.
// As in lmplz, n-grams that start with <s> keep their raw counts (nothing can precede <s>, so
// their continuation count would be zero), and the <s> and <unk> unigrams get 0: <s> is never
// predicted and <unk> receives only the interpolated uniform mass.

import { heapArrays, type ArrayAllocator } from './arrays.js';
import { BOS_ID } from './types.js';
import type { PatternGraph } from './graph.js';

/**
 * Adjusted count of every node. `stored` holds the adjusted counts a pruned model saved for its
 * lower levels (computed before pruning); without it they are derived from the trie. `inPlace`
 * computes them over `graph.count` itself instead of a new array from `arrays`: a model that keeps
 * no raw counts (see dropCounts) saves one array of every n-gram.
 */
export function adjustedCounts(
  graph: PatternGraph,
  stored?: (Uint32Array | undefined)[],
  arrays: ArrayAllocator = heapArrays,
  inPlace = false,
): Uint32Array {
  const { order, offsets, count, suffix } = graph;
  const total = offsets[order];
  const top = order - 1;
  // The highest level keeps its raw counts.
  const adjusted = inPlace ? count : arrays.uint32(total);
  if (!inPlace) adjusted.set(count.subarray(offsets[top], total), offsets[top]);
  const useStored =
    stored !== undefined &&
    order > 1 &&
    stored.slice(0, top).every((level, k) => level?.length === offsets[k + 1] - offsets[k]);
  if (useStored) {
    for (let k = 0; k < top; k++) adjusted.set(stored[k] as Uint32Array, offsets[k]);
  } else if (order > 1) {
    // N-grams starting with <s> keep their raw counts: a contiguous run on every level below the
    // <s> unigram, read before anything is written over them.
    const runs: { from: number; counts: Uint32Array }[] = [];
    let from = BOS_ID;
    let to = BOS_ID + 1;
    for (let k = 1; k < top; k++) {
      from = graph.childStart[from];
      to = graph.childStart[to];
      runs.push({ from, counts: count.slice(from, to) });
    }
    if (inPlace) adjusted.fill(0, 0, offsets[top]);
    // Each n-gram (v w1…wn) adds one to its suffix (w1…wn), when that suffix is exactly one
    // level down (always, unless a foreign trie is missing it).
    for (let k = 1; k < order; k++) {
      const lowerLevelStart = offsets[k - 1];
      for (let node = offsets[k]; node < offsets[k + 1]; node++) {
        const s = suffix[node];
        if (s >= lowerLevelStart) adjusted[s]++;
      }
    }
    for (const run of runs) adjusted.set(run.counts, run.from);
  }
  adjusted[BOS_ID] = 0;
  return adjusted;
}
