// The pattern graph: the count trie indexed for walking. Every stored n-gram is a node with a
// global index (levels laid end to end); a node's continuations are a contiguous run of the next
// level (`childStart`), and its backoff edge (`suffix`) leads to the node of its longest stored
// proper suffix. Prediction from a context walks only the suffix chain of that context: this is
// the "selective activation" of the product, and what the probability and sampling code use.

import { heapArrays, type ArrayAllocator } from './arrays.js';
import { ModelFormatError, type CountTrie, type CountTrieLevel } from './types.js';

export const ROOT = -1;

/** Word ids of the nodes: Int32 as counted, Uint16 in a model image of at most 65,536 words. */
export type WordArray = Int32Array | Uint16Array;

export interface PatternGraph {
  order: number;
  vocabularySize: number;
  /** Global index of each level's first node; offsets[order] = total nodes. */
  offsets: Int32Array;
  /**
   * Per node, across all levels: parent index within the previous level. Only graphs indexed from
   * counts (buildPatternGraph) have it; a model drops it, since the child starts say the same
   * (levels derive it on demand, see levelViews).
   */
  parent?: Int32Array;
  /** Per node, across all levels: last word and raw count. */
  word: WordArray;
  /** Reading it throws when `countsDropped` (see dropCounts). */
  count: Uint32Array;
  /**
   * A model loaded only to generate and score (decode with `counts: false`): its raw counts were
   * turned into its adjusted counts and then its cumulative shares, so `count` (the graph's and
   * each level's) throws instead of answering.
   */
  countsDropped?: boolean;
  /** For nodes below the highest level: children are [childStart[i], childStart[i+1]) (global). */
  childStart: Int32Array;
  /** Node of the longest stored proper suffix; ROOT for unigrams. */
  suffix: Int32Array;
  /** The trie's levels as views into the arrays above. */
  levels: CountTrieLevel[];
}

export function totalNodes(graph: PatternGraph): number {
  return graph.offsets[graph.order];
}

/** Child of `context` (a node below the highest level, or ROOT) with last word `word`, or -1. */
export function findChild(graph: PatternGraph, context: number, word: number): number {
  if (context < 0) return word < graph.vocabularySize ? word : -1;
  return searchRun(graph.word, graph.childStart[context], graph.childStart[context + 1], word);
}

/** Node in [from, to) (a run of siblings, sorted by word) whose word is `word`, or -1. */
export function searchRun(words: WordArray, from: number, to: number, word: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const found = words[mid];
    if (found < word) lo = mid + 1;
    else if (found > word) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/**
 * The node of (context w), else of the longest stored suffix of it: the child `w` of `context` or
 * of the first context on its suffix chain that has one. At the root every word has a node, so
 * the walk ends.
 */
function storedSuffix(graph: PatternGraph, context: number, w: number): number {
  let found = findChild(graph, context, w);
  while (found < 0) {
    context = graph.suffix[context];
    found = findChild(graph, context, w);
  }
  return found;
}

/**
 * A trie already laid out as the graph by its reader (the codec): levels end to end in one array
 * per field, child starts, and suffix links where the reader knows them. A suffix of −1 on a level
 * above the unigrams means "not known" (a word the file stored without its suffix): it is searched.
 */
export type TrieIndex = Pick<PatternGraph, 'offsets' | 'word' | 'count' | 'childStart' | 'suffix'> & {
  /** How many nodes above the unigrams have a suffix of −1, when the reader counted them. */
  unknownSuffixes?: number;
  /** How the reader allocated these arrays: the model allocates the rest of its arrays so too. */
  arrays?: ArrayAllocator;
};

/**
 * The graph of a trie its reader has already indexed and checked (decodeModelFile guarantees the
 * order, ranges and sorting buildPatternGraph checks). Only the unigram level's match with the
 * vocabulary is checked here, and only unknown suffix links are searched.
 */
export function indexedPatternGraph(index: TrieIndex, vocabularySize: number): PatternGraph {
  const { offsets, word, count, childStart, suffix } = index;
  const order = offsets.length - 1;
  if (offsets[1] !== vocabularySize) corrupt('unigram level does not match the vocabulary');
  for (let id = 0; id < vocabularySize; id++) if (word[id] !== id) corrupt('unigram level is not in id order');
  const graph: PatternGraph = { order, vocabularySize, offsets, word, count, childStart, suffix, levels: [] };
  suffix.fill(ROOT, 0, vocabularySize);
  for (let k = 1; k < order && index.unknownSuffixes !== 0; k++) {
    let parentNode = offsets[k - 1];
    for (let node = offsets[k]; node < offsets[k + 1]; node++) {
      while (childStart[parentNode + 1] <= node) parentNode++;
      if (suffix[node] >= 0) continue;
      // As in buildPatternGraph: (suffix(p) w), else the next shorter suffix that is stored.
      suffix[node] = storedSuffix(graph, suffix[parentNode], word[node]);
    }
  }
  graph.levels = levelViews(graph);
  return graph;
}

/**
 * The graph's levels as views into its arrays. Without a parent array (a model's graph) each
 * level's `parent` is derived from the child starts when first read, and then kept by that level:
 * saving a model (which reads the graph's own index instead) never makes it.
 */
export function levelViews(
  graph: Pick<PatternGraph, 'order' | 'offsets' | 'parent' | 'word' | 'count' | 'childStart' | 'countsDropped'>,
): CountTrieLevel[] {
  const levels: CountTrieLevel[] = [];
  const { offsets, parent, word, childStart } = graph;
  const count = graph.countsDropped === true ? null : graph.count;
  for (let k = 0; k < graph.order; k++) {
    const from = offsets[k];
    const to = offsets[k + 1];
    if (parent !== undefined && count !== null) {
      // A graph with a parent array was built from counts: its words are Int32 (only images narrow them).
      levels.push({
        parent: parent.subarray(from, to),
        word: (word as Int32Array).subarray(from, to),
        count: count.subarray(from, to),
      });
      continue;
    }
    // An image's Uint16 words pass as the level's words: its counts were dropped, so it is never saved.
    const level = { word: word.subarray(from, to) as Int32Array } as CountTrieLevel;
    if (count !== null) level.count = count.subarray(from, to);
    else Object.defineProperty(level, 'count', { enumerable: true, get: countsWereDropped });
    Object.defineProperty(level, 'parent', {
      configurable: true,
      enumerable: true,
      get(): Int32Array {
        const derived = levelParents(offsets, childStart, k);
        Object.defineProperty(level, 'parent', {
          value: derived,
          writable: true,
          enumerable: true,
          configurable: true,
        });
        return derived;
      },
    });
    levels.push(level);
  }
  return levels;
}

function countsWereDropped(): never {
  throw new Error(
    'this model was loaded without its raw counts (decode with counts: false): it generates and scores, but cannot be saved or appended to',
  );
}

/**
 * Marks a graph whose `count` array is no longer its raw counts (the caller reuses the buffer):
 * the graph's and its levels' `count` throw from now on, so nothing can save or extend the model
 * from the wrong numbers. Rebuilds `levels`.
 */
export function dropCounts(graph: PatternGraph): void {
  graph.countsDropped = true;
  Object.defineProperty(graph, 'count', { enumerable: true, configurable: true, get: countsWereDropped });
  graph.levels = levelViews(graph);
}

/** Parent (index within level k − 1) of every node of level k, from the child starts. */
function levelParents(offsets: Int32Array, childStart: Int32Array, k: number): Int32Array {
  const parents = new Int32Array(offsets[k + 1] - offsets[k]);
  if (k === 0) return parents;
  const base = offsets[k];
  const first = offsets[k - 1];
  for (let p = first; p < offsets[k]; p++) parents.fill(p - first, childStart[p] - base, childStart[p + 1] - base);
  return parents;
}

function corrupt(message: string): never {
  throw new ModelFormatError('corrupt', message);
}

/**
 * Indexes a count trie. Checks the invariants the walk relies on (level 0 is exactly the
 * vocabulary in id order; every other level sorted by (parent, word) with indices in range) and
 * throws ModelFormatError('corrupt') otherwise, so a bad file can never cause an out-of-range read.
 * `checked = false` skips the per-node checks for a trie this process just counted.
 */
export function buildPatternGraph(
  trie: CountTrie,
  vocabularySize: number,
  checked = true,
  arrays: ArrayAllocator = heapArrays,
): PatternGraph {
  const order = trie.order;
  if (!Number.isInteger(order) || order < 1 || order > 8 || trie.levels.length !== order) corrupt('bad trie order');
  const offsets = new Int32Array(order + 1);
  for (let k = 0; k < order; k++) {
    const level = trie.levels[k];
    const size = level.word.length;
    if (level.parent.length !== size || level.count.length !== size) corrupt(`level ${k + 1} arrays differ in length`);
    offsets[k + 1] = offsets[k] + size;
  }
  const total = offsets[order];
  const parent = joinLevels(trie.levels, (level) => level.parent, Int32Array, total);
  const word = joinLevels(trie.levels, (level) => level.word, Int32Array, total);
  const count = joinLevels(trie.levels, (level) => level.count, Uint32Array, total);
  if (offsets[1] !== vocabularySize) corrupt('unigram level does not match the vocabulary');
  for (let id = 0; id < vocabularySize; id++) if (word[id] !== id) corrupt('unigram level is not in id order');

  const contexts = offsets[order - 1];
  const childStart = arrays.int32(contexts + 1);
  for (let k = 0; k + 1 < order; k++) {
    const from = offsets[k + 1];
    const to = offsets[k + 2];
    const parents = offsets[k + 1] - offsets[k];
    let child = from;
    let previousParent = -1;
    let previousWord = -1;
    for (let node = offsets[k]; node < offsets[k + 1]; node++) {
      const local = node - offsets[k];
      while (child < to && parent[child] < local) child++;
      childStart[node] = child;
    }
    for (let node = from; checked && node < to; node++) {
      const p = parent[node];
      const w = word[node];
      if (p < 0 || p >= parents) corrupt(`level ${k + 2} has a parent out of range`);
      if (w < 0 || w >= vocabularySize) corrupt(`level ${k + 2} has a word id out of range`);
      if (p < previousParent || (p === previousParent && w <= previousWord)) corrupt(`level ${k + 2} is not sorted`);
      previousParent = p;
      previousWord = w;
    }
  }
  childStart[contexts] = total;

  const graph: PatternGraph = {
    order,
    vocabularySize,
    offsets,
    parent,
    word,
    count,
    childStart,
    suffix: arrays.int32(total),
    levels: [],
  };
  const suffix = graph.suffix;
  suffix.fill(ROOT, 0, vocabularySize);
  for (let node = offsets[1]; node < offsets[Math.min(2, order)]; node++) suffix[node] = word[node];
  for (let k = 2; k < order; k++) {
    const parentBase = offsets[k - 1];
    let previousParent = -1;
    let lo = 0;
    let hi = -1;
    for (let node = offsets[k]; node < offsets[k + 1]; node++) {
      const w = word[node];
      const p = parent[node];
      if (p !== previousParent) {
        // Siblings look up increasing words among the children of the same suffix context,
        // so each search can start after the previous hit.
        const context = suffix[parentBase + p];
        lo = childStart[context];
        hi = childStart[context + 1] - 1;
        previousParent = p;
      }
      // Galloping from lo: the next sibling's suffix is usually a few places on, in the memory
      // the previous search just read, where a binary search of the whole run would jump around.
      let a = lo;
      let step = 1;
      while (a + step - 1 <= hi && word[a + step - 1] < w) {
        a += step;
        step *= 2;
      }
      let b = Math.min(hi, a + step - 1);
      let found = -1;
      while (a <= b) {
        const mid = (a + b) >>> 1;
        const x = word[mid];
        if (x < w) a = mid + 1;
        else if (x > w) b = mid - 1;
        else {
          found = mid;
          break;
        }
      }
      if (found >= 0) {
        lo = found + 1;
      } else {
        // The suffix of (p w) is (suffix(p) w); if a pruned or foreign trie lacks it, the next
        // shorter one.
        found = storedSuffix(graph, suffix[suffix[parentBase + p]], w);
      }
      suffix[node] = found;
    }
  }
  graph.levels = levelViews(graph);
  return graph;
}

type TypedArrayConstructor<T> = {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
};

/**
 * One array over all levels. When the levels already are consecutive views of one buffer (as the
 * trainer builds them) this is a view, not a copy; a decoded file is copied once.
 */
function joinLevels<T extends Int32Array | Uint32Array>(
  levels: CountTrieLevel[],
  pick: (level: CountTrieLevel) => T,
  make: TypedArrayConstructor<T>,
  total: number,
): T {
  const first = pick(levels[0]);
  let contiguous = true;
  let expectedOffset = first.byteOffset;
  for (const level of levels) {
    const array = pick(level);
    if (array.buffer !== first.buffer || array.byteOffset !== expectedOffset) {
      contiguous = false;
      break;
    }
    expectedOffset += array.byteLength;
  }
  if (contiguous) return new make(first.buffer, first.byteOffset, total);
  const joined = new make(total);
  let at = 0;
  for (const level of levels) {
    const array = pick(level);
    joined.set(array, at);
    at += array.length;
  }
  return joined;
}
