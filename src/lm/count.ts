// Stage 1, counting (KenLM: corpus_count). Sort-based, in typed arrays, no string keys and no
// per-token allocation.
//
// Every corpus position starts a "window": the next min(order, words left in the sentence)
// words. The n-grams of the corpus are exactly the prefixes of the windows, so once the windows
// are sorted lexicographically (LSD radix sort, one counting-sort pass per word position, a
// shorter window sorting before its extensions) one scan builds the whole trie: consecutive
// windows share their longest common prefix, each word past it is a new node, and every node on a
// window's path gets the window's weight. Nodes come out level by level already ordered by
// (parent, word), which is the CountTrie layout of types.ts.
//
// Append-training uses the same path: a stored trie is turned back into weighted windows (a node
// whose count exceeds the sum of its children's is the full window of that many positions), so
// counting old counts plus new text gives exactly the counts of all the text.

import { heapArrays, type ArrayAllocator } from './arrays.js';
import type { CountTrie, CountTrieLevel } from './types.js';

/** Windows over a token buffer of final word ids (sentences as BOS … EOS). */
export interface Windows {
  tokens: Int32Array;
  /** Where each window starts in `tokens`; null = window j starts at token j (a corpus). */
  start: Int32Array | null;
  length: Uint8Array;
  /** Occurrences per window; null = 1 each. */
  weight: Uint32Array | null;
  count: number;
}

/** One window per position of a BOS … EOS token layout. */
export function corpusWindows(tokens: Int32Array, order: number, eos: number): Windows {
  const count = tokens.length;
  const length = new Uint8Array(count);
  let sentenceEnd = count;
  for (let i = count - 1; i >= 0; i--) {
    if (tokens[i] === eos) sentenceEnd = i + 1;
    length[i] = Math.min(order, sentenceEnd - i);
  }
  return { tokens, start: null, length, weight: null, count };
}

/** A stored trie as weighted windows over a new token buffer (word ids unchanged). */
export function trieWindows(levels: CountTrieLevel[]): Windows {
  const order = levels.length;
  const excess: Uint32Array[] = [];
  let windows = 0;
  let tokensNeeded = 0;
  for (let k = 0; k < order; k++) {
    const { count } = levels[k];
    const levelExcess = Uint32Array.from(count);
    if (k + 1 < order) {
      const { parent, count: childCount } = levels[k + 1];
      for (let i = 0; i < parent.length; i++) {
        const p = parent[i];
        // Clamped: only a foreign trie can have children counted more often than their parent.
        levelExcess[p] = levelExcess[p] > childCount[i] ? levelExcess[p] - childCount[i] : 0;
      }
    }
    for (let i = 0; i < levelExcess.length; i++) {
      if (levelExcess[i] > 0) {
        windows++;
        tokensNeeded += k + 1;
      }
    }
    excess.push(levelExcess);
  }
  const tokens = new Int32Array(tokensNeeded);
  const start = new Int32Array(windows);
  const length = new Uint8Array(windows);
  const weight = new Uint32Array(windows);
  let window = 0;
  let at = 0;
  for (let k = 0; k < order; k++) {
    const levelExcess = excess[k];
    for (let i = 0; i < levelExcess.length; i++) {
      if (levelExcess[i] === 0) continue;
      start[window] = at;
      length[window] = k + 1;
      weight[window] = levelExcess[i];
      window++;
      let node = i;
      for (let j = k; j >= 0; j--) {
        tokens[at + j] = levels[j].word[node];
        node = levels[j].parent[node];
      }
      at += k + 1;
    }
  }
  return { tokens, start, length, weight, count: windows };
}

/** Raw unigram counts (each window adds its weight to its first word). */
export function unigramCounts(sources: Windows[], vocabularySize: number): Uint32Array {
  const counts = new Uint32Array(vocabularySize);
  for (const source of sources) {
    const { tokens, start, weight } = source;
    for (let j = 0; j < source.count; j++)
      counts[tokens[start === null ? j : start[j]]] += weight === null ? 1 : weight[j];
  }
  return counts;
}

/** Rewrites every token through `map` (provisional ids → final ids), in place. */
export function renumber(tokens: Int32Array, map: Int32Array): void {
  for (let i = 0; i < tokens.length; i++) tokens[i] = map[tokens[i]];
}

/**
 * The count trie of all windows. Level 0 holds every id 0..vocabularySize-1 (count 0 for words
 * no window starts with, such as <unk>); all levels are views into three shared arrays so the
 * model can index nodes globally. `arrays` allocates the words and counts (the model keeps them).
 */
export function countWindows(
  sources: Windows[],
  order: number,
  vocabularySize: number,
  arrays: ArrayAllocator = heapArrays,
): CountTrie {
  // Gather all windows into one list of (source, index) pairs encoded as a global window id.
  const bases: number[] = [];
  let total = 0;
  for (const source of sources) {
    bases.push(total);
    total += source.count;
  }
  // A corpus alone has one window per position (window j starts at token j): its starts need no
  // array, which saves a cache miss per window in every pass.
  const identity = sources.length === 1 && sources[0].start === null;
  const globalStart = identity ? new Int32Array(0) : new Int32Array(total);
  const globalLength = identity ? sources[0].length : new Uint8Array(total);
  // Tokens of all sources in one buffer, so keys read from one array.
  const tokenTotal = sources.reduce((sum, source) => sum + source.tokens.length, 0);
  const tokens = sources.length === 1 ? sources[0].tokens : new Int32Array(tokenTotal);
  let tokenBase = 0;
  sources.forEach((source, s) => {
    if (identity) return;
    if (sources.length > 1) tokens.set(source.tokens, tokenBase);
    for (let j = 0; j < source.count; j++) {
      globalStart[bases[s] + j] = (source.start === null ? j : source.start[j]) + tokenBase;
      globalLength[bases[s] + j] = source.length[j];
    }
    tokenBase += source.tokens.length;
  });

  // Every pass below reads words at scattered windows: 16-bit copies of them (any vocabulary of
  // up to 65,535 words, Brown's 52,256 included) halve the memory those reads miss in; the copy
  // takes what the narrower keys save.
  const narrow = vocabularySize <= 0xffff;
  const words = narrow ? Uint16Array.from(tokens) : tokens;

  // LSD radix sort of window ids by (word at position d, … , word at 0); key 0 = past the end.
  let order1 = new Int32Array(total);
  let order2 = new Int32Array(total);
  for (let j = 0; j < total; j++) order1[j] = j;
  const buckets = new Int32Array(vocabularySize + 2);
  // Keys of one pass, read in window order (sequential) and then once per scattered window.
  const keys = narrow ? new Uint16Array(total) : new Int32Array(total);
  for (let d = order - 1; d >= 0; d--) {
    buckets.fill(0);
    let anyLonger = false;
    for (let j = 0; j < total; j++) {
      let key = 0;
      if (globalLength[j] > d) {
        key = words[(identity ? j : globalStart[j]) + d] + 1;
        anyLonger = true;
      }
      keys[j] = key;
      buckets[key + 1]++;
    }
    if (!anyLonger) continue;
    for (let b = 1; b < buckets.length; b++) buckets[b] += buckets[b - 1];
    for (let i = 0; i < total; i++) {
      const j = order1[i];
      order2[buckets[keys[j]]++] = j;
    }
    const swap = order1;
    order1 = order2;
    order2 = swap;
  }
  order2 = new Int32Array(0);
  const sorted = order1;

  // Pass 1: common prefix with the previous window, and how many nodes each level gets. The
  // windows' starts, lengths and weights are copied into sorted order so pass 2 reads them
  // sequentially.
  // A corpus's window starts at its own id: the sorted ids are the sorted starts.
  const sortedStart = identity ? sorted : new Int32Array(total);
  const sortedLength = new Uint8Array(total);
  const common = new Uint8Array(total);
  const weighted = sources.some((source) => source.weight !== null);
  const sortedWeight = weighted ? new Uint32Array(total) : null;
  if (sortedWeight !== null) {
    const windowWeight = new Uint32Array(total);
    sources.forEach((source, s) => {
      if (source.weight === null) windowWeight.fill(1, bases[s], bases[s] + source.count);
      else windowWeight.set(source.weight.subarray(0, source.count), bases[s]);
    });
    for (let i = 0; i < total; i++) sortedWeight[i] = windowWeight[sorted[i]];
  }
  const levelSize = new Array<number>(order).fill(0);
  levelSize[0] = vocabularySize;
  const newNodes = new Int32Array(order + 1);
  let previousStart = -1;
  let previousLength = 0;
  for (let i = 0; i < total; i++) {
    const j = sorted[i];
    const s = identity ? j : globalStart[j];
    const length = globalLength[j];
    sortedStart[i] = s;
    sortedLength[i] = length;
    let lcp = 0;
    if (previousStart >= 0) {
      const limit = length < previousLength ? length : previousLength;
      while (lcp < limit && words[s + lcp] === words[previousStart + lcp]) lcp++;
    }
    common[i] = lcp;
    // Levels lcp..length-1 (but never level 0, which is the whole vocabulary) get a node.
    newNodes[lcp > 0 ? lcp : 1]++;
    newNodes[length > 1 ? length : 1]--;
    previousStart = s;
    previousLength = length;
  }
  let running = 0;
  for (let k = 1; k < order; k++) {
    running += newNodes[k];
    levelSize[k] = running;
  }

  // Pass 2: create nodes and add weights.
  const offsets = [0];
  for (let k = 1; k <= order; k++) offsets.push(offsets[k - 1] + levelSize[k - 1]);
  const nodes = offsets[order];
  const parentAll = new Int32Array(nodes);
  const wordAll = arrays.int32(nodes);
  const countAll = arrays.uint32(nodes);
  for (let id = 0; id < vocabularySize; id++) wordAll[id] = id;
  const next = Int32Array.from(offsets.slice(0, order));
  const levelOffset = Int32Array.from(offsets);
  const current = new Int32Array(order);
  for (let i = 0; i < total; i++) {
    const s = sortedStart[i];
    const length = sortedLength[i];
    const w = sortedWeight === null ? 1 : sortedWeight[i];
    current[0] = words[s];
    const lcp = common[i];
    for (let k = lcp > 0 ? lcp : 1; k < length; k++) {
      const node = next[k]++;
      parentAll[node] = current[k - 1] - levelOffset[k - 1];
      wordAll[node] = words[s + k];
      current[k] = node;
    }
    for (let k = 0; k < length; k++) countAll[current[k]] += w;
  }

  const levels: CountTrieLevel[] = [];
  for (let k = 0; k < order; k++) {
    levels.push({
      parent: parentAll.subarray(offsets[k], offsets[k + 1]),
      word: wordAll.subarray(offsets[k], offsets[k + 1]),
      count: countAll.subarray(offsets[k], offsets[k + 1]),
    });
  }
  return { order, levels };
}
