// Count trie, encoding (decoding: count-trie-decode.ts).
//
// Per level i, five streams (empty where they do not apply):
//   words   level 0: word − previous word − 1. Level i ≥ 1: 0 = escaped, else rank among the
//           children of the parent's suffix node minus the previous sibling's rank.
//   escapes level i ≥ 1: escaped word − previous sibling's word − 1.
//   counts  level 0: the count. Level i ≥ 1: counts of all but the last child of each parent with
//           two or more children.
//   fanout  level i < order−1: number of children of each node.
//   excess  level i < order−1, nodes with children: zigzag(count − Σ children counts), where a
//           run of n zeros (nearly every node of an unpruned trie) is written 0, n−1.
// and two that only pruned models have, null when the level lacks the array:
//   adjusted, prunedMass   the level's array of that name, one varint per node.

import type { TrieIndex } from '../graph.js';
import { BOS_ID, EOS_ID, type CountTrie, type CountTrieLevel } from '../types.js';
import { storeStream, type StoredStream } from './streams.js';
import { fail, integerIn } from './fields.js';
import { MAX_COUNT, MAX_ORDER } from './limits.js';
import { VarintWriter } from './varint.js';

export const LEVEL_STREAMS = 7;
export const [WORDS, ESCAPES, COUNTS, FANOUT, EXCESS] = [0, 1, 2, 3, 4];
const [ADJUSTED, PRUNED_MASS] = [5, 6];
/** Optional per-node arrays of pruned models, stored as plain varint streams (null when absent). */
export const OPTIONAL_LEVEL_ARRAYS = [
  { kind: ADJUSTED, field: 'adjusted' },
  { kind: PRUNED_MASS, field: 'prunedMass' },
] as const;

/**
 * Throws unless `counts` keeps the stored-form invariants of types.ts. With the graph's index the
 * (parent, word) order is checked through its child starts, so a model's levels never have to
 * derive their parent arrays for a save.
 */
export function countsProblem(counts: CountTrie, vocabSize: number, index?: EncoderIndex): void {
  if (counts === null || typeof counts !== 'object') fail('counts missing');
  const order = integerIn(counts.order, 1, MAX_ORDER, 'counts order');
  if (!Array.isArray(counts.levels) || counts.levels.length !== order)
    fail(`counts have ${String(counts.levels?.length)} levels for order ${order}`);
  if (index !== undefined) {
    indexedCountsProblem(counts, vocabSize, index);
    return;
  }
  let previousSize = 1;
  counts.levels.forEach((level, i) => {
    if (
      !(level?.parent instanceof Int32Array && level.word instanceof Int32Array && level.count instanceof Uint32Array)
    ) {
      fail(`level ${i} arrays have the wrong types`);
    }
    const size = level.parent.length;
    if (level.word.length !== size || level.count.length !== size) fail(`level ${i} arrays differ in length`);
    for (const { field } of OPTIONAL_LEVEL_ARRAYS) {
      const values = level[field];
      if (values !== undefined && !(values instanceof Uint32Array && values.length === size))
        fail(`level ${i} ${field} is not a Uint32Array of the level's length`);
    }
    let previousParent = 0;
    let previousWord = -1;
    for (let n = 0; n < size; n++) {
      const parent = level.parent[n];
      const word = level.word[n];
      if (i === 0 ? parent !== 0 : parent < 0 || parent >= previousSize)
        fail(`level ${i} node ${n} has parent ${parent} out of range`);
      if (word < 0 || word >= vocabSize) fail(`level ${i} node ${n} has word ${word} outside the vocabulary`);
      if (parent < previousParent || (parent === previousParent && word <= previousWord))
        fail(`level ${i} is not sorted by (parent, word) at node ${n}`);
      previousParent = parent;
      previousWord = word;
    }
    previousSize = size;
  });
}

/**
 * What the pattern graph of the same trie already knows (graph.ts): global child starts and
 * suffix links. With it the encoder neither recomputes them nor searches for each child's suffix,
 * which takes two level-sized arrays off the memory a save needs on top of the model.
 */
export type EncoderIndex = Pick<TrieIndex, 'offsets' | 'word' | 'count' | 'childStart' | 'suffix'>;

function indexedCountsProblem(counts: CountTrie, vocabSize: number, index: EncoderIndex): void {
  const { offsets, childStart } = index;
  if (offsets.length !== counts.order + 1 || offsets[0] !== 0) fail('index does not match the counts order');
  counts.levels.forEach((level, i) => {
    if (!(level?.word instanceof Int32Array && level.count instanceof Uint32Array))
      fail(`level ${i} arrays have the wrong types`);
    const size = level.word.length;
    if (level.count.length !== size || offsets[i + 1] - offsets[i] !== size) fail(`level ${i} arrays differ in length`);
    for (const { field } of OPTIONAL_LEVEL_ARRAYS) {
      const values = level[field];
      if (values !== undefined && !(values instanceof Uint32Array && values.length === size))
        fail(`level ${i} ${field} is not a Uint32Array of the level's length`);
    }
    const words = level.word;
    for (let n = 0; n < size; n++)
      if (!(words[n] >= 0 && words[n] < vocabSize))
        fail(`level ${i} node ${n} has word ${words[n]} outside the vocabulary`);
    if (i === 0) {
      for (let n = 1; n < size; n++) if (words[n] <= words[n - 1]) fail('level 0 is not sorted by word');
      return;
    }
    // The children of the previous level tile this level in order, each run sorted by word.
    if (childStart[offsets[i - 1]] !== offsets[i]) fail(`level ${i} does not start where its parents' children do`);
    for (let p = offsets[i - 1]; p < offsets[i]; p++) {
      const from = childStart[p] - offsets[i];
      const to = childStart[p + 1] - offsets[i];
      if (!(from <= to && to <= size)) fail(`level ${i} child runs are out of order`);
      for (let n = from + 1; n < to; n++)
        if (words[n] <= words[n - 1]) fail(`level ${i} is not sorted by (parent, word) at node ${n}`);
    }
    if (childStart[offsets[i]] - offsets[i] !== size) fail(`level ${i} holds nodes without a parent`);
  });
}

/** Per level below the highest, what the trie implies for each optional array (see extrasBaselines). */
export type ExtrasBaselines = Record<'adjusted' | 'prunedMass', Uint32Array[]>;

/** The trie in global form, as the graph (and the decoder) lay it out; suffix −1 = not stored. */
type GlobalTrie = Pick<TrieIndex, 'offsets' | 'word' | 'count' | 'childStart' | 'suffix'>;

/**
 * What a pruned trie's own shape implies for its extras (format version 2 stores the differences).
 * Every occurrence of an n-gram that does not start with <s> has a word before it, and every one
 * that does not end with </s> a word after it, so the counts its kept extensions leave over are
 * the counts of its pruned ones, each at least 1:
 *   adjusted    N1+(• w): kept left extensions plus the count the kept ones leave (exact when every
 *               pruned extension was seen once, as with min-frequency 2; an upper bound otherwise);
 *               the raw count for n-grams starting with <s>, 0 for <s> itself (lmplz's rules);
 *   prunedMass  the adjusted mass of a context's pruned continuations: the count its kept
 *               continuations leave (again exact for singletons, an upper bound otherwise); 0 for a
 *               context ending in </s>.
 * So for a trained model the differences are small and mostly zero. A node's suffix counts only
 * when it is exactly one level down.
 */
export function extrasBaselines(trie: GlobalTrie, order: number): ExtrasBaselines {
  const { offsets, word, count, childStart, suffix } = trie;
  const adjusted: Uint32Array[] = [];
  const prunedMass: Uint32Array[] = [];
  for (let i = 0; i + 1 < order; i++) {
    const size = offsets[i + 1] - offsets[i];
    const extensions = new Uint32Array(size);
    const extensionCounts = new Float64Array(size);
    for (let c = offsets[i + 1]; c < offsets[i + 2]; c++) {
      const s = suffix[c] - offsets[i];
      if (s >= 0 && s < size) {
        extensions[s]++;
        extensionCounts[s] += count[c];
      }
    }
    const mass = new Uint32Array(size);
    for (let n = 0; n < size; n++) {
      const node = offsets[i] + n;
      const left = count[node] - extensionCounts[n];
      extensions[n] = Math.min(MAX_COUNT, extensions[n] + (left > 0 ? left : 0));
      if (word[node] === EOS_ID) continue;
      let kept = 0;
      for (let x = childStart[node]; x < childStart[node + 1]; x++) kept += count[x];
      mass[n] = count[node] > kept ? count[node] - kept : 0;
    }
    adjusted.push(extensions);
    prunedMass.push(mass);
  }
  // The n-grams starting with <s>: the <s> unigram's descendants, one contiguous run per level.
  let from = -1;
  for (let n = 0; n < offsets[1]; n++) if (word[n] === BOS_ID) from = n;
  if (from >= 0 && order > 1) {
    adjusted[0][from] = 0;
    let to = from + 1;
    for (let i = 1; i + 1 < order; i++) {
      const nextFrom = childStart[from];
      to = childStart[to];
      from = nextFrom;
      for (let n = from; n < to; n++) adjusted[i][n - offsets[i]] = count[n];
    }
  }
  return { adjusted, prunedMass };
}

/** The encoder's per-level links (local indices) in the global layout extrasBaselines reads. */
function globalLinks(
  levels: CountTrieLevel[],
  sizes: number[],
  local: { starts: Uint32Array; suffix: Int32Array }[],
): GlobalTrie {
  const order = levels.length;
  const offsets = new Int32Array(order + 1);
  for (let i = 0; i < order; i++) offsets[i + 1] = offsets[i] + sizes[i];
  const total = offsets[order];
  const word = new Int32Array(total);
  const count = new Uint32Array(total);
  const childStart = new Int32Array(offsets[order - 1] + 1);
  const suffix = new Int32Array(total).fill(-1);
  levels.forEach((level, i) => {
    word.set(level.word, offsets[i]);
    count.set(level.count, offsets[i]);
  });
  local.forEach(({ starts, suffix: levelSuffix }, i) => {
    for (let p = 0; p < sizes[i]; p++) childStart[offsets[i] + p] = starts[p] + offsets[i + 1];
    for (let c = 0; c < levelSuffix.length; c++)
      if (levelSuffix[c] >= 0) suffix[offsets[i + 1] + c] = offsets[i] + levelSuffix[c];
  });
  childStart[offsets[order - 1]] = total;
  return { offsets, word, count, childStart, suffix };
}

/** childStart[p]..childStart[p+1] are the children of node p in the next level. */
function childStarts(parentSize: number, childParents: Int32Array): Uint32Array {
  const starts = new Uint32Array(parentSize + 1);
  for (let n = 0; n < childParents.length; n++) starts[childParents[n] + 1]++;
  for (let p = 0; p < parentSize; p++) starts[p + 1] += starts[p];
  return starts;
}

export function encodeCounts(
  counts: CountTrie,
  vocabSize: number,
  index?: EncoderIndex,
): { stored: unknown; rawBytes: number; nodes: number } {
  const { order, levels } = counts;
  const sizes = levels.map((level) => level.word.length);
  const streams: Uint8Array[][] = [];
  const compressed: (StoredStream | null)[][] = [];
  let rawBytes = 0;
  const compressLevel = (level: Uint8Array[]): (StoredStream | null)[] =>
    level.map((raw) => {
      rawBytes += raw.length;
      return storeStream(raw);
    });
  const empty = new Uint8Array(0);

  // Level 0: plain words and counts.
  const level0 = levels[0];
  const words0 = new VarintWriter(sizes[0]);
  const counts0 = new VarintWriter(sizes[0] * 2);
  let previousWord = -1;
  for (let n = 0; n < sizes[0]; n++) {
    words0.push(level0.word[n] - previousWord - 1);
    previousWord = level0.word[n];
    counts0.push(level0.count[n]);
  }
  streams.push([words0.finish(), empty, counts0.finish(), empty, empty]);

  const unigramIndex = new Int32Array(vocabSize).fill(-1);
  for (let n = 0; n < sizes[0]; n++) unigramIndex[level0.word[n]] = n;

  // suffix[n] of the level above: index of node n's suffix one level down, −1 if absent; the
  // suffix of a unigram is the virtual root whose children are all of level 0.
  const hasExtras = levels.some((level) => OPTIONAL_LEVEL_ARRAYS.some(({ field }) => level[field] !== undefined));
  // Without the graph's index, a file with extras needs the links in global form for its baselines.
  const localLinks: { starts: Uint32Array; suffix: Int32Array }[] = [];
  let suffixAbove = new Int32Array(sizes[0]);
  let startsBelow: Uint32Array = Uint32Array.of(0, sizes[0]);
  for (let i = 0; i + 1 < order; i++) {
    let children: ChildStreamBytes;
    if (index !== undefined) {
      children = encodeChildren(levels[i], levels[i + 1], graphLinks(index, i), null, i === 0 ? unigramIndex : null);
    } else {
      const starts = childStarts(sizes[i], levels[i + 1].parent);
      const suffix = new Int32Array(sizes[i + 1]);
      const links: ChildLinks = {
        starts,
        startBase: 0,
        startShift: 0,
        suffixAbove,
        suffixBase: 0,
        suffixShift: 0,
        suffixLevelSize: i === 0 ? 1 : sizes[i - 1],
        startsBelow,
        belowStartBase: 0,
        belowStartShift: 0,
        childSuffix: null,
        childSuffixBase: 0,
        childSuffixShift: 0,
      };
      children = encodeChildren(levels[i], levels[i + 1], links, suffix, i === 0 ? unigramIndex : null);
      suffixAbove = suffix;
      startsBelow = starts;
      if (hasExtras) localLinks.push({ starts, suffix });
    }
    streams[i][FANOUT] = children.fanout;
    streams[i][EXCESS] = children.excess;
    streams.push([children.words, children.escapes, children.counts, empty, empty]);
    // Level i's streams are complete: compress them now, so the raw bytes of all levels never
    // coexist (they are most of what saving a model needs on top of the model).
    compressed.push(compressLevel(streams[i]));
    streams[i] = [];
  }
  compressed.push(compressLevel(streams[order - 1]));
  streams.length = 0;

  const baselines = hasExtras ? extrasBaselines(index ?? globalLinks(levels, sizes, localLinks), order) : null;
  const storedLevels = compressed.map((stored, i) => {
    for (const { field } of OPTIONAL_LEVEL_ARRAYS) {
      const values = levels[i][field];
      if (values === undefined) {
        stored.push(null);
        continue;
      }
      const base = (baselines as ExtrasBaselines)[field][i];
      const raw = new VarintWriter(values.length);
      for (let n = 0; n < values.length; n++) raw.pushSigned(values[n] - base[n]);
      const bytes = raw.finish();
      rawBytes += bytes.length;
      stored.push(storeStream(bytes));
    }
    return stored;
  });
  return { stored: { order, sizes, levels: storedLevels }, rawBytes, nodes: sizes.reduce((a, b) => a + b, 0) };
}

type ChildStreamBytes = Record<'fanout' | 'excess' | 'words' | 'escapes' | 'counts', Uint8Array>;

/**
 * Where encodeChildren finds, for node p of the level above, its children (starts[startBase + p]
 * − startShift, in the level below) and its suffix one level up the trie (suffixAbove[suffixBase
 * + p] − suffixShift, a node of the level before, absent unless in [0, suffixLevelSize)), whose
 * children are startsBelow[belowStartBase + s] − belowStartShift onwards. Local arrays (shifts 0)
 * or the graph's global ones (graphLinks).
 */
interface ChildLinks {
  starts: Int32Array | Uint32Array;
  startBase: number;
  startShift: number;
  suffixAbove: Int32Array;
  suffixBase: number;
  suffixShift: number;
  suffixLevelSize: number;
  startsBelow: Int32Array | Uint32Array;
  belowStartBase: number;
  belowStartShift: number;
  /**
   * The graph's suffix links of the level below (childSuffix[childSuffixBase + c] −
   * childSuffixShift, in the level above when exact): the candidate each child word is ranked at,
   * without searching for it. Null with local links, which search (and record `suffix`).
   */
  childSuffix: Int32Array | null;
  childSuffixBase: number;
  childSuffixShift: number;
}

/** ChildLinks of level i read from the graph's global arrays (for i = 0 the root is the suffix). */
function graphLinks(index: EncoderIndex, i: number): ChildLinks {
  const { offsets, childStart, suffix } = index;
  if (i === 0) {
    return {
      starts: childStart,
      startBase: 0,
      startShift: offsets[1],
      suffixAbove: new Int32Array(offsets[1]),
      suffixBase: 0,
      suffixShift: 0,
      suffixLevelSize: 1,
      startsBelow: Uint32Array.of(0, offsets[1]),
      belowStartBase: 0,
      belowStartShift: 0,
      childSuffix: suffix,
      childSuffixBase: offsets[1],
      childSuffixShift: 0,
    };
  }
  return {
    starts: childStart,
    startBase: offsets[i],
    startShift: offsets[i + 1],
    suffixAbove: suffix,
    suffixBase: offsets[i],
    suffixShift: offsets[i - 1],
    suffixLevelSize: offsets[i] - offsets[i - 1],
    startsBelow: childStart,
    belowStartBase: offsets[i - 1],
    belowStartShift: offsets[i],
    childSuffix: suffix,
    childSuffixBase: offsets[i + 1],
    childSuffixShift: offsets[i],
  };
}

/**
 * The streams describing the children of level `above` (see decodeChildren, its inverse). With
 * local links it also records each child's suffix (`suffix`, for the next level's call).
 */
function encodeChildren(
  above: CountTrieLevel,
  below: CountTrieLevel,
  links: ChildLinks,
  suffix: Int32Array | null,
  unigramIndex: Int32Array | null,
): ChildStreamBytes {
  const {
    starts,
    startBase,
    startShift,
    suffixAbove,
    suffixBase,
    suffixShift,
    suffixLevelSize,
    startsBelow,
    belowStartBase,
    belowStartShift,
    childSuffix,
    childSuffixBase,
    childSuffixShift,
  } = links;
  const sizeAbove = above.word.length;
  const fanout = new VarintWriter(sizeAbove);
  const excess = new VarintWriter(0);
  const words = new VarintWriter(below.word.length);
  const escapes = new VarintWriter(0);
  const childCounts = new VarintWriter(below.word.length);
  const aboveCounts = above.count;
  const candidateWords = above.word;
  const belowWords = below.word;
  const belowCounts = below.count;
  let zeroExcesses = 0;
  for (let p = 0; p < sizeAbove; p++) {
    const first = starts[startBase + p] - startShift;
    const end = starts[startBase + p + 1] - startShift;
    fanout.push(end - first);
    if (end === first) continue;
    let childSum = 0;
    for (let c = first; c < end; c++) childSum += belowCounts[c];
    const nodeExcess = aboveCounts[p] - childSum;
    if (nodeExcess === 0) zeroExcesses++;
    else {
      if (zeroExcesses > 0) {
        excess.push(0);
        excess.push(zeroExcesses - 1);
        zeroExcesses = 0;
      }
      excess.pushSigned(nodeExcess);
    }
    for (let c = first + 1; c < end; c++) childCounts.push(belowCounts[c - 1]);

    const parentSuffix = suffixAbove[suffixBase + p] - suffixShift;
    const exact = parentSuffix >= 0 && parentSuffix < suffixLevelSize;
    const low = exact ? startsBelow[belowStartBase + parentSuffix] - belowStartShift : 0;
    let previousRank = -1;
    let previousSibling = -1;
    if (childSuffix !== null) {
      // A child's exact suffix (one level up, so in this level) is the candidate of its word: a
      // child with one has a parent with one, among whose children it is (the trie is closed
      // under prefixes). Any other link (a shorter stored suffix) escapes, as a search would.
      for (let c = first; c < end; c++) {
        const at = childSuffix[childSuffixBase + c] - childSuffixShift;
        if (at >= 0 && at < sizeAbove) {
          const rank = at - low;
          words.push(rank - previousRank);
          previousRank = rank;
        } else {
          const word = belowWords[c];
          words.push(0);
          escapes.push(word - previousSibling - 1);
        }
        previousSibling = belowWords[c];
      }
      continue;
    }
    const high = exact ? startsBelow[belowStartBase + parentSuffix + 1] - belowStartShift : 0;
    let searchFrom = low;
    for (let c = first; c < end; c++) {
      const word = belowWords[c];
      // Under the root every unigram is a candidate: look it up instead of searching.
      const at = unigramIndex !== null ? unigramIndex[word] : lowerBound(candidateWords, searchFrom, high, word);
      if (at >= searchFrom && at < high && candidateWords[at] === word) {
        const rank = at - low;
        words.push(rank - previousRank);
        previousRank = rank;
        if (suffix !== null) suffix[c] = at;
        searchFrom = at + 1;
      } else {
        words.push(0);
        escapes.push(word - previousSibling - 1);
        if (suffix !== null) suffix[c] = -1;
        if (unigramIndex === null) searchFrom = at;
      }
      previousSibling = word;
    }
  }
  if (zeroExcesses > 0) {
    excess.push(0);
    excess.push(zeroExcesses - 1);
  }
  return {
    fanout: fanout.finish(),
    excess: excess.finish(),
    words: words.finish(),
    escapes: escapes.finish(),
    counts: childCounts.finish(),
  };
}

/**
 * First index in [low, high) whose value is ≥ `value`. Gallops from `low`: siblings are looked up
 * in increasing order, so the next one is usually a few places on.
 */
function lowerBound(sorted: Int32Array, low: number, high: number, value: number): number {
  let step = 1;
  while (low + step <= high && sorted[low + step - 1] < value) {
    low += step;
    step *= 2;
  }
  high = Math.min(high, low + step - 1);
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
