// Pruning (KenLM: lmplz --prune, plus a size cap). Two rules choose which n-grams of order ≥ 2
// are dropped; unigrams are always kept.
//   - minFrequency: an n-gram seen fewer times than this is dropped (raw count, like lmplz).
//   - maxPatterns: if more n-grams of order ≥ 2 remain than the cap, the least useful go first,
//     "least useful" being the documented simple criterion: lowest raw count first and, at equal
//     count, the highest order first (the longest, most specific patterns carry the least
//     evidence). Because an n-gram's prefix and suffix are seen at least as often and are
//     shorter, they always rank after it: the kept set stays closed under prefix and suffix,
//     which the trie (prefix) and the backoff walk (suffix) rely on.
// The pruned trie carries what its own counts no longer determine: the adjusted counts of its
// lower levels and, per context, the adjusted mass of its pruned continuations (see
// interpolate.ts). The discounts computed before pruning travel in the file header.

import { totalNodes, type PatternGraph } from './graph.js';
import type { CountTrie, CountTrieLevel } from './types.js';

/** Pruning runs on the graph of freshly counted (or decoded) counts, which has its parent array. */
function countedParents(graph: PatternGraph): Int32Array {
  if (graph.parent === undefined) throw new Error('pruning needs a graph indexed from counts (buildPatternGraph)');
  return graph.parent;
}

/** Which nodes to keep (1) or drop (0), or null when nothing is dropped. */
export function selectPatterns(graph: PatternGraph, minFrequency: number, maxPatterns: number): Uint8Array | null {
  const { order, offsets, count } = graph;
  const parent = countedParents(graph);
  const total = totalNodes(graph);
  if (order < 2 || (minFrequency <= 1 && maxPatterns <= 0)) return null;
  const keep = new Uint8Array(total).fill(1);
  let dropped = 0;
  let kept = 0;
  for (let k = 1; k < order; k++) {
    for (let node = offsets[k]; node < offsets[k + 1]; node++) {
      if (count[node] < minFrequency || keep[offsets[k - 1] + parent[node]] === 0) {
        keep[node] = 0;
        dropped++;
      } else {
        kept++;
      }
    }
  }
  if (maxPatterns > 0 && kept > maxPatterns) {
    // Smaller key = dropped first: count ascending, then order descending.
    const key = (node: number, k: number) => count[node] * 16 + (15 - k);
    const keys = new Float64Array(kept);
    let at = 0;
    for (let k = 1; k < order; k++)
      for (let node = offsets[k]; node < offsets[k + 1]; node++) if (keep[node] === 1) keys[at++] = key(node, k);
    keys.sort();
    const excess = kept - maxPatterns;
    const threshold = keys[excess - 1];
    let belowThreshold = 0;
    for (let i = 0; i < excess; i++) if (keys[i] < threshold) belowThreshold++;
    let atThresholdToDrop = excess - belowThreshold;
    // Within the boundary bucket (same count, same order) drop from the end of the trie order.
    for (let k = order - 1; k >= 1; k--) {
      for (let node = offsets[k + 1] - 1; node >= offsets[k]; node--) {
        if (keep[node] === 0) continue;
        const value = key(node, k);
        if (value < threshold) keep[node] = 0;
        else if (value === threshold && atThresholdToDrop > 0) {
          keep[node] = 0;
          atThresholdToDrop--;
        }
      }
    }
    dropped += excess;
  }
  return dropped > 0 ? keep : null;
}

/** The trie of the kept nodes, with the lower levels' adjusted counts and pruned masses. */
export function applyPruning(graph: PatternGraph, adjusted: Uint32Array, keep: Uint8Array): CountTrie {
  const { order, offsets, word, count } = graph;
  const parent = countedParents(graph);
  const newIndex = new Int32Array(totalNodes(graph)).fill(-1);
  const levelSize: number[] = [];
  for (let k = 0; k < order; k++) {
    let size = 0;
    for (let node = offsets[k]; node < offsets[k + 1]; node++) if (keep[node] === 1) newIndex[node] = size++;
    levelSize.push(size);
  }
  const total = levelSize.reduce((a, b) => a + b, 0);
  const parentAll = new Int32Array(total);
  const wordAll = new Int32Array(total);
  const countAll = new Uint32Array(total);
  const levels: CountTrieLevel[] = [];
  let base = 0;
  for (let k = 0; k < order; k++) {
    const size = levelSize[k];
    const lower = k + 1 < order;
    const levelAdjusted = lower ? new Uint32Array(size) : undefined;
    for (let node = offsets[k]; node < offsets[k + 1]; node++) {
      const i = newIndex[node];
      if (i < 0) continue;
      parentAll[base + i] = k === 0 ? 0 : newIndex[offsets[k - 1] + parent[node]];
      wordAll[base + i] = word[node];
      countAll[base + i] = count[node];
      if (levelAdjusted !== undefined) levelAdjusted[i] = adjusted[node];
    }
    levels.push({
      parent: parentAll.subarray(base, base + size),
      word: wordAll.subarray(base, base + size),
      count: countAll.subarray(base, base + size),
      ...(lower ? { adjusted: levelAdjusted, prunedMass: new Uint32Array(size) } : {}),
    });
    base += size;
  }
  for (let k = 1; k < order; k++) {
    const prunedMass = levels[k - 1].prunedMass as Uint32Array;
    for (let node = offsets[k]; node < offsets[k + 1]; node++) {
      if (keep[node] === 1) continue;
      const context = newIndex[offsets[k - 1] + parent[node]];
      if (context >= 0) prunedMass[context] += adjusted[node];
    }
  }
  return { order, levels };
}
