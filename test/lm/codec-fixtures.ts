// Builders of ModelFiles for the codec's tests and bench, independent of the trainer: a plain
// Map-based n-gram counter (fine for test data, far too slow and big for the product).
import { FORMAT_VERSION } from '../../src/lm/codec.js';
import {
  BOS,
  DEFAULT_TRAIN_PARAMS,
  EOS,
  UNK,
  type CountTrie,
  type CountTrieLevel,
  type EmbeddingTable,
  type ModelFile,
  type ModelFileHeader,
  type TrainParams,
} from '../../src/lm/types.js';

export interface CountedCorpus {
  vocab: string[];
  counts: CountTrie;
}

/**
 * Counts every n-gram up to `order` of each sentence padded with <s> and </s>, the way the
 * trainer's stored form wants it: vocab = reserved words then words by descending frequency
 * (ties by code point), level 0 = every vocabulary word (so <unk> has count 0), n-grams of order
 * ≥ 2 seen fewer than `minFrequency` times dropped (which keeps the trie prefix-closed).
 */
export function countCorpus(sentences: string[][], order: number, minFrequency = 1): CountedCorpus {
  const frequency = new Map<string, number>();
  for (const sentence of sentences) for (const word of sentence) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const ranked = [...frequency.entries()]
    .filter(([word]) => word !== UNK && word !== BOS && word !== EOS)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([word]) => word);
  const vocab = [UNK, BOS, EOS, ...ranked];
  const ids = new Map(vocab.map((word, id) => [word, id]));

  // byOrder[n-1]: n-gram key (ids joined by ' ') -> count
  const byOrder = Array.from({ length: order }, () => new Map<string, number>());
  for (const sentence of sentences) {
    const padded = [1, ...sentence.map((word) => ids.get(word) as number), 2];
    for (let start = 0; start < padded.length; start++) {
      let key = '';
      for (let n = 0; n < order && start + n < padded.length; n++) {
        key = n === 0 ? String(padded[start]) : `${key} ${padded[start + n]}`;
        const grams = byOrder[n];
        grams.set(key, (grams.get(key) ?? 0) + 1);
      }
    }
  }

  const levels: CountTrieLevel[] = [];
  const unigramCount = (id: number) => byOrder[0].get(String(id)) ?? 0;
  levels.push({
    parent: new Int32Array(vocab.length),
    word: Int32Array.from(vocab, (_, id) => id),
    count: Uint32Array.from(vocab, (_, id) => unigramCount(id)),
  });
  let indexOfKey = new Map<string, number>(vocab.map((_, id) => [String(id), id]));
  for (let n = 1; n < order; n++) {
    const entries: { parent: number; word: number; count: number; key: string }[] = [];
    for (const [key, count] of byOrder[n]) {
      if (count < minFrequency) continue;
      const cut = key.lastIndexOf(' ');
      const parent = indexOfKey.get(key.slice(0, cut));
      if (parent === undefined) continue; // its prefix was pruned
      entries.push({ parent, word: Number(key.slice(cut + 1)), count, key });
    }
    entries.sort((a, b) => a.parent - b.parent || a.word - b.word);
    levels.push({
      parent: Int32Array.from(entries, (e) => e.parent),
      word: Int32Array.from(entries, (e) => e.word),
      count: Uint32Array.from(entries, (e) => e.count),
    });
    indexOfKey = new Map(entries.map((e, index) => [e.key, index]));
  }
  return { vocab, counts: { order, levels } };
}

/** Removes the nodes `drop` picks and all their descendants, leaving every other count as it was. */
export function dropNodes(trie: CountTrie, drop: (level: number, node: number) => boolean): CountTrie {
  const levels: CountTrieLevel[] = [];
  let newIndex: Int32Array | null = null; // old index in the previous level -> new index, -1 if dropped
  trie.levels.forEach((level, i) => {
    const kept: number[] = [];
    const mapping = new Int32Array(level.word.length).fill(-1);
    for (let n = 0; n < level.word.length; n++) {
      if (i > 0 && (newIndex as Int32Array)[level.parent[n]] < 0) continue;
      if (i > 0 && drop(i, n)) continue;
      mapping[n] = kept.length;
      kept.push(n);
    }
    levels.push({
      parent: Int32Array.from(kept, (n) => (i === 0 ? 0 : (newIndex as Int32Array)[level.parent[n]])),
      word: Int32Array.from(kept, (n) => level.word[n]),
      count: Uint32Array.from(kept, (n) => level.count[n]),
    });
    newIndex = mapping;
  });
  return { order: trie.order, levels };
}

export function tokenize(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
}

export function headerFor(counts: CountTrie, vocabSize: number, params: Partial<TrainParams> = {}): ModelFileHeader {
  const allParams = { ...DEFAULT_TRAIN_PARAMS, maxPatternLength: counts.order, ...params };
  const patternsByOrder = counts.levels.map((level) => level.word.length);
  const patterns = patternsByOrder.reduce((a, b) => a + b, 0);
  return {
    formatVersion: FORMAT_VERSION,
    createdAt: 1_750_000_000_123,
    params: allParams,
    stats: {
      order: counts.order,
      vocabularySize: vocabSize,
      patternsByOrder,
      patterns,
      embeddings: 0,
      embeddingDim: 0,
      graphNodes: patterns,
      graphEdges: patterns - patternsByOrder[0],
      memoryBytes: patterns * 12,
      params: allParams,
      corpus: { lines: 3, sentences: 4, tokens: 17, characters: 81 },
      trainingMs: 12.625,
      heldOutPerplexity: null,
    },
    pruned: allParams.minFrequency > 1,
  };
}

/** Deterministic embedding rows (a small LCG, so tests need no randomness). */
export function embeddingsFor(count: number, dim: number, seed = 7): EmbeddingTable {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const values = Int8Array.from({ length: count * dim }, () => (next() >>> 24) - 128);
  const scales = Float32Array.from({ length: count }, (_, row) => (row < 3 ? 0 : (next() / 2 ** 32) * 0.05));
  return { dim, count, values, scales };
}

/**
 * What a pruned model carries besides its counts, in the shapes types.ts gives (the values are
 * made up, not Kneser-Ney's): adjusted counts and pruned mass on every level but the highest,
 * and discounts per order.
 */
export function withPrunedExtras(file: ModelFile): ModelFile {
  const levels = file.counts.levels.map((level, i) =>
    i + 1 === file.counts.order
      ? level
      : {
          ...level,
          adjusted: level.count.map((count, n) => (count > 2 ? Math.ceil(count / 3) + (n % 5) : count)),
          prunedMass: level.count.map((count, n) => (n % 4 === 0 ? count * 7 : 0)),
        },
  );
  const discounts = levels.map((_, k) => [0.5 + k / 100, 1.1 + k / 100, 1.7 + k / 1000]);
  return { ...file, header: { ...file.header, pruned: true, discounts }, counts: { order: file.counts.order, levels } };
}

export function modelFileFor(
  corpus: CountedCorpus,
  options: { embeddingDim?: number; params?: Partial<TrainParams> } = {},
): ModelFile {
  const dim = options.embeddingDim ?? 0;
  return {
    header: headerFor(corpus.counts, corpus.vocab.length, { ...options.params, embeddingDim: dim }),
    vocab: corpus.vocab,
    counts: corpus.counts,
    embeddings: dim > 0 ? embeddingsFor(Math.min(corpus.vocab.length, 50), dim) : null,
  };
}

export const TINY_TEXT = [
  'the cat sat on the mat .',
  'the dog sat on the log .',
  'a cat and a dog met on the mat !',
  'the cat saw the dog . the dog saw the cat .',
  'ñandú y pingüino 🐧 ven el mar .',
].join('\n');

/** Deterministic sentences over `vocabSize` words drawn with a Zipf-like skew, like real text. */
export function syntheticSentences(count: number, vocabSize: number, seed = 1): string[][] {
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const sentences: string[][] = [];
  for (let s = 0; s < count; s++) {
    const length = 1 + Math.floor(random() * 12);
    sentences.push(Array.from({ length }, () => `w${Math.floor(vocabSize ** random()) - 1}`));
  }
  return sentences;
}
