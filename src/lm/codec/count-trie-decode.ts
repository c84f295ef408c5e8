// Count trie, decoding: the streams of count-trie-encode.ts back into the trie, every length
// checked against the budget and every index against its array.

import { SpareArrays } from '../arrays.js';
import { levelViews, type TrieIndex } from '../graph.js';
import type { CountTrie } from '../types.js';
import { loadStream, type DecodeBudget } from './streams.js';
import {
  COUNTS,
  ESCAPES,
  EXCESS,
  FANOUT,
  LEVEL_STREAMS,
  OPTIONAL_LEVEL_ARRAYS,
  WORDS,
  extrasBaselines,
  type ExtrasBaselines,
} from './count-trie-encode.js';
import { fail, integerIn, record } from './fields.js';
import { DELTA_EXTRAS_VERSION, MAX_COUNT, MAX_ORDER, MAX_VARINT_BYTES } from './limits.js';
import {
  expectConsumed,
  longVarintEnd,
  nextVarint,
  readLongVarint,
  varintStream,
  type VarintStream,
} from './varint.js';

/**
 * The decoder lays the trie out as the pattern graph does (graph.ts) and finds each node's suffix
 * anyway, because child words are stored as ranks among the suffix's children: handing these over
 * saves the model a copy of every array and a binary search per node at load.
 */
export type DecodedTrieIndex = TrieIndex;

export function decodeCounts(
  value: unknown,
  vocabSize: number,
  budget: DecodeBudget,
  version: number,
  spare: ArrayBuffer[],
): { counts: CountTrie; index: DecodedTrieIndex } {
  const stored = record(value, 'counts');
  const order = integerIn(stored.order, 1, MAX_ORDER, 'counts order');
  if (!Array.isArray(stored.sizes) || stored.sizes.length !== order) fail('counts: level sizes do not match the order');
  if (!Array.isArray(stored.levels) || stored.levels.length !== order)
    fail('counts: level streams do not match the order');
  const sizes: number[] = [];
  const offsets = new Int32Array(order + 1);
  for (let i = 0; i < order; i++) {
    const size = integerIn(stored.sizes[i], 0, budget.nodes, `level ${i} size`);
    budget.nodes -= size;
    sizes.push(size);
    offsets[i + 1] = offsets[i] + size;
  }
  const levelStreams = stored.levels.map((level: unknown, i: number) => {
    if (!Array.isArray(level) || level.length !== LEVEL_STREAMS) fail(`level ${i}: streams missing`);
    return level as unknown[];
  });
  const stream = (level: number, kind: number, maxValues: number, name: string): VarintStream =>
    varintStream(
      loadStream(levelStreams[level][kind], maxValues * MAX_VARINT_BYTES, budget, `level ${level} ${name}`),
      `level ${level} ${name}`,
    );

  // The node budget above bounds these allocations. They may take the caller's spare buffers
  // (arrays.ts), as will the model's adjusted counts and probabilities.
  const total = offsets[order];
  const arrays = new SpareArrays(spare);
  const index: DecodedTrieIndex = {
    offsets,
    word: arrays.int32(total),
    count: arrays.uint32(total),
    childStart: arrays.int32(offsets[order - 1] + 1),
    suffix: arrays.int32(total),
    arrays,
  };
  // Parents are not decoded: the child starts say the same, and levels derive them if asked.
  const levels = levelViews({ order, ...index });
  const size0 = sizes[0];
  const level0 = levels[0];
  const words0 = stream(0, WORDS, size0, 'words');
  const counts0 = stream(0, COUNTS, size0, 'counts');
  let word = -1;
  for (let n = 0; n < size0; n++) {
    word += nextVarint(words0) + 1;
    if (word >= vocabSize) fail(`level 0 node ${n}: word outside the vocabulary`);
    level0.word[n] = word;
    const count = nextVarint(counts0);
    if (count > MAX_COUNT) fail(`level 0 node ${n}: count out of range`);
    level0.count[n] = count;
  }
  for (const used of [words0, counts0, stream(0, ESCAPES, 0, 'escapes')]) expectConsumed(used);
  index.suffix.fill(-1, 0, size0);

  let unknownSuffixes = 0;
  for (let i = 0; i + 1 < order; i++) {
    const streams: ChildStreams = {
      fanout: stream(i, FANOUT, sizes[i], 'fanout'),
      excess: stream(i, EXCESS, sizes[i], 'excess'),
      words: stream(i + 1, WORDS, sizes[i + 1], 'words'),
      escapes: stream(i + 1, ESCAPES, sizes[i + 1], 'escapes'),
      counts: stream(i + 1, COUNTS, sizes[i + 1], 'counts'),
    };
    unknownSuffixes += decodeChildren(i, index, streams, vocabSize);
    for (const used of Object.values(streams)) expectConsumed(used);
  }
  index.childStart[offsets[order - 1]] = total;
  // Escaped child words are the only nodes decoded without their suffix: the graph searches those.
  index.unknownSuffixes = unknownSuffixes;
  // The deepest level has no children: its fanout and excess streams must be empty.
  expectConsumed(stream(order - 1, FANOUT, 0, 'fanout'));
  expectConsumed(stream(order - 1, EXCESS, 0, 'excess'));
  const deltas = version >= DELTA_EXTRAS_VERSION;
  let baselines: ExtrasBaselines | null = null;
  levels.forEach((level, i) => {
    for (const { kind, field } of OPTIONAL_LEVEL_ARRAYS) {
      if (levelStreams[i][kind] === null) continue;
      const values = stream(i, kind, sizes[i], field);
      const array = new Uint32Array(sizes[i]);
      const base = deltas ? (baselines ??= extrasBaselines(index, order))[field][i] : undefined;
      for (let n = 0; n < array.length; n++) {
        let value = nextVarint(values);
        if (base !== undefined) value = base[n] + (value % 2 === 0 ? value / 2 : -(value + 1) / 2);
        if (!(value >= 0 && value <= MAX_COUNT)) fail(`level ${i} ${field} ${n}: out of range`);
        array[n] = value;
      }
      expectConsumed(values);
      level[field] = array;
    }
  });
  return { counts: { order, levels }, index };
}

interface ChildStreams {
  fanout: VarintStream;
  excess: VarintStream;
  words: VarintStream;
  escapes: VarintStream;
  counts: VarintStream;
}

/**
 * Rebuilds level i+1 from the streams describing the children of level i, with the child starts
 * of level i and the suffix links of level i+1 (global indices, see DecodedTrieIndex). This is the
 * loop that decides load time, so every stream position lives in a local and one-byte values
 * (nearly all of them) take the inline path; a load past a stream's end yields undefined and so
 * takes the checked path.
 */
function decodeChildren(i: number, index: DecodedTrieIndex, streams: ChildStreams, vocabSize: number): number {
  const { fanout, excess, words, escapes, counts } = streams;
  const fanoutBytes = fanout.bytes;
  const excessBytes = excess.bytes;
  const wordBytes = words.bytes;
  const escapeBytes = escapes.bytes;
  const countBytes = counts.bytes;
  let fanoutAt = 0;
  let excessAt = 0;
  let wordAt = 0;
  let escapeAt = 0;
  let countAt = 0;
  const { offsets, word: nodeWords, count: nodeCounts, childStart, suffix } = index;
  const aboveFrom = offsets[i];
  const aboveTo = offsets[i + 1];
  const belowFrom = offsets[i + 1];
  const belowTo = offsets[i + 2];
  let byte: number;
  let zeroExcessesLeft = 0;
  let escaped = 0;
  let c = belowFrom;
  for (let p = aboveFrom; p < aboveTo; p++) {
    let children: number;
    if ((byte = fanoutBytes[fanoutAt]) < 0x80) {
      children = byte;
      fanoutAt++;
    } else {
      children = readLongVarint(fanout, fanoutAt);
      fanoutAt = longVarintEnd;
    }
    if (children > belowTo - c) fail(`level ${i} node ${p - aboveFrom}: more children than level ${i + 1} holds`);
    childStart[p] = c;
    const end = c + children;
    if (children === 0) continue;
    let zigzag = 0;
    if (zeroExcessesLeft > 0) zeroExcessesLeft--;
    else {
      if ((byte = excessBytes[excessAt]) < 0x80) {
        zigzag = byte;
        excessAt++;
      } else {
        zigzag = readLongVarint(excess, excessAt);
        excessAt = longVarintEnd;
      }
      if (zigzag === 0) {
        zeroExcessesLeft = readLongVarint(excess, excessAt);
        excessAt = longVarintEnd;
      }
    }
    let rest = nodeCounts[p] - (zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
    if (rest < 0) fail(`level ${i} node ${p - aboveFrom}: excess larger than its count`);

    // Candidates for the child words: the children of the parent's suffix (of the root, that is
    // every unigram, for a unigram parent); none when the parent's suffix is not stored.
    const parentSuffix = i === 0 ? -2 : suffix[p];
    const low = parentSuffix === -2 ? 0 : parentSuffix < 0 ? 0 : childStart[parentSuffix];
    const candidates = parentSuffix === -2 ? aboveTo : parentSuffix < 0 ? 0 : childStart[parentSuffix + 1] - low;
    let previousRank = -1;
    let previousWord = -1;
    for (; c < end; c++) {
      let code: number;
      if ((byte = wordBytes[wordAt]) < 0x80) {
        code = byte;
        wordAt++;
      } else {
        code = readLongVarint(words, wordAt);
        wordAt = longVarintEnd;
      }
      let word: number;
      if (code === 0) {
        let gap: number;
        if ((byte = escapeBytes[escapeAt]) < 0x80) {
          gap = byte;
          escapeAt++;
        } else {
          gap = readLongVarint(escapes, escapeAt);
          escapeAt = longVarintEnd;
        }
        word = previousWord + gap + 1;
        if (word >= vocabSize) fail(`level ${i + 1} node ${c - belowFrom}: word outside the vocabulary`);
        suffix[c] = -1;
        escaped++;
      } else {
        const rank = previousRank + code;
        if (rank >= candidates) fail(`level ${i + 1} node ${c - belowFrom}: rank outside its suffix's children`);
        previousRank = rank;
        suffix[c] = low + rank;
        word = nodeWords[low + rank];
        if (word <= previousWord) fail(`level ${i + 1} node ${c - belowFrom}: words not in order`);
      }
      nodeWords[c] = word;
      previousWord = word;
      if (c + 1 === end) {
        if (rest > MAX_COUNT) fail(`level ${i + 1} node ${c - belowFrom}: count out of range`);
        nodeCounts[c] = rest;
      } else {
        let count: number;
        if ((byte = countBytes[countAt]) < 0x80) {
          count = byte;
          countAt++;
        } else {
          count = readLongVarint(counts, countAt);
          countAt = longVarintEnd;
        }
        if (count > rest || count > MAX_COUNT) fail(`level ${i + 1} node ${c - belowFrom}: count out of range`);
        nodeCounts[c] = count;
        rest -= count;
      }
    }
  }
  if (c !== belowTo) fail(`level ${i + 1}: ${c - belowFrom} nodes have parents, ${belowTo - belowFrom} declared`);
  if (zeroExcessesLeft !== 0) fail(`${excess.what}: a run of zeros longer than the nodes with children`);
  fanout.position = fanoutAt;
  excess.position = excessAt;
  words.position = wordAt;
  escapes.position = escapeAt;
  counts.position = countAt;
  return escaped;
}
