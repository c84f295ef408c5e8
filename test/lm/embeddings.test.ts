import { describe, expect, it } from 'vitest';
import { embeddingIndex } from '../../src/lm/embeddings.js';
import { quantizeRows, trainEmbeddings } from '../../src/lm/embeddings-train.js';
import { BOS, EOS, TrainingInputError, UNK, type EmbeddingTable } from '../../src/lm/types.js';

/** A corpus as the trainer hands it over: frequency-ranked ids from 3, sentences concatenated. */
interface TestCorpus {
  vocab: string[];
  counts: Uint32Array;
  ids: Int32Array;
  sentenceStarts: Int32Array;
}

function corpusOf(sentences: string[][]): TestCorpus {
  const frequency = new Map<string, number>();
  for (const sentence of sentences) for (const word of sentence) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const words = [...frequency.keys()].sort((a, b) => frequency.get(b)! - frequency.get(a)! || (a < b ? -1 : 1));
  const vocab = [UNK, BOS, EOS, ...words];
  const idOf = new Map(vocab.map((word, id) => [word, id]));
  const counts = new Uint32Array(vocab.length);
  for (const word of words) counts[idOf.get(word)!] = frequency.get(word)!;
  const ids = new Int32Array(sentences.reduce((sum, sentence) => sum + sentence.length, 0));
  const sentenceStarts = new Int32Array(sentences.length);
  let at = 0;
  sentences.forEach((sentence, s) => {
    sentenceStarts[s] = at;
    for (const word of sentence) ids[at++] = idOf.get(word)!;
  });
  return { vocab, counts, ids, sentenceStarts };
}

/** Deterministic pseudo-random choice, independent of the code under test. */
function chooser(seed: number) {
  let state = seed;
  return <T>(options: readonly T[]): T => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return options[(state >>> 8) % options.length];
  };
}

/**
 * Animals, colours and verbs each appear only in their own kind of sentence, so each group shares
 * contexts with itself and with nothing else.
 */
function separatedContextsCorpus(): TestCorpus {
  const pick = chooser(7);
  const animals = ['cat', 'dog', 'horse'];
  const colours = ['red', 'blue', 'green'];
  const verbs = ['sat', 'slept', 'jumped'];
  const sentences: string[][] = [];
  for (let i = 0; i < 1500; i++) {
    sentences.push(['the', pick(animals), pick(verbs), 'on', 'the', pick(['mat', 'floor', 'grass'])]);
    sentences.push(['she', 'painted', 'the', pick(['wall', 'door', 'fence']), pick(colours), 'today']);
  }
  return corpusOf(sentences);
}

/**
 * Four -ing verbs, each with adverbs of its own so that their vectors differ; plurals ending in
 * -ings (sharing the unseen word's ending) and a -er noun sharing its stem, in other sentences.
 */
function morphologyCorpus(): TestCorpus {
  const pick = chooser(11);
  const adverbs: Record<string, string[]> = {
    running: ['fast', 'quickly'],
    walking: ['slowly', 'home'],
    jumping: ['high', 'up'],
    swimming: ['laps', 'daily'],
  };
  const sentences: string[][] = [];
  for (let i = 0; i < 1500; i++) {
    const verb = pick(Object.keys(adverbs));
    sentences.push([pick(['he', 'she', 'they']), 'kept', verb, pick(adverbs[verb])]);
    sentences.push([
      'the',
      pick(['buildings', 'meetings', 'things', 'paintings', 'rings']),
      'were',
      pick(['old', 'new', 'large']),
    ]);
    sentences.push(['a', pick(['runner', 'swimmer', 'walker']), 'won', 'the', 'race']);
  }
  return corpusOf(sentences);
}

function train(
  corpus: TestCorpus,
  dim: number,
  seed = 1,
  extra: { window?: number; maxWords?: number; svdWords?: number; minCount?: number } = {},
) {
  return trainEmbeddings({ ids: corpus.ids, sentenceStarts: corpus.sentenceStarts }, corpus.counts, {
    dim,
    seed,
    ...extra,
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
}

describe('trainEmbeddings', () => {
  it('clusters words that share contexts: cat is nearest dog or horse, red nearest blue or green', () => {
    const corpus = separatedContextsCorpus();
    const index = embeddingIndex(train(corpus, 8), corpus.vocab);
    expect(['dog', 'horse']).toContain(index.similar('cat', 1)[0].word);
    expect(['blue', 'green']).toContain(index.similar('red', 1)[0].word);
    expect(['slept', 'jumped']).toContain(index.similar('sat', 1)[0].word);
    const animals = index
      .similar('dog', 2)
      .map((neighbour) => neighbour.word)
      .sort();
    expect(animals).toEqual(['cat', 'horse']);
  });

  it('is deterministic for a seed', () => {
    const corpus = separatedContextsCorpus();
    const first = train(corpus, 8, 42);
    const second = train(corpus, 8, 42);
    expect(second.values).toEqual(first.values);
    expect(second.scales).toEqual(first.scales);
  });

  it('covers the most frequent maxWords words; reserved ids and the rest stay out', () => {
    const corpus = separatedContextsCorpus();
    const table = train(corpus, 4, 1, { maxWords: 5 });
    expect(table.count).toBe(8);
    expect(table.values.length).toBe(8 * 4);
    expect(table.scales.length).toBe(8);
    for (const reserved of [0, 1, 2]) expect(table.scales[reserved]).toBe(0);
    expect(Array.from(table.values.subarray(0, 12))).toEqual(new Array(12).fill(0));
  });

  it('stores unit-length rows as int8 whose largest component is ±127', () => {
    const corpus = separatedContextsCorpus();
    const table = train(corpus, 8);
    const index = embeddingIndex(table, corpus.vocab);
    let rowsWithVectors = 0;
    for (let id = 3; id < table.count; id++) {
      const row = index.rowVector(id);
      if (row === null) continue;
      rowsWithVectors++;
      expect(Math.hypot(...row)).toBeCloseTo(1, 2);
      const values = Array.from(table.values.subarray(id * 8, id * 8 + 8));
      expect(Math.max(...values.map(Math.abs))).toBe(127);
    }
    expect(rowsWithVectors).toBe(corpus.vocab.length - 3);
  });

  it('folds rare words in through the decomposed block of frequent words', () => {
    const corpus = separatedContextsCorpus();
    // Only the 10 most frequent words enter the SVD; the animals and colours are rarer.
    const index = embeddingIndex(train(corpus, 4, 1, { svdWords: 10 }), corpus.vocab);
    expect(index.rowVector(corpus.vocab.indexOf('horse'))).not.toBeNull();
    expect(['dog', 'horse']).toContain(index.similar('cat', 1)[0].word);
  });

  it('rejects unusable options with a typed error', () => {
    const corpus = separatedContextsCorpus();
    for (const options of [
      { dim: 0 },
      { dim: 2.5 },
      { dim: 8, window: 0 },
      { dim: 8, maxWords: -1 },
      { dim: 8, svdWords: 0 },
    ]) {
      expect(() => trainEmbeddings(corpus, corpus.counts, options)).toThrow(TrainingInputError);
    }
  });

  it('survives empty and tiny corpora, including dim larger than the vocabulary', () => {
    const empty = trainEmbeddings({ ids: new Int32Array(0), sentenceStarts: new Int32Array(0) }, new Uint32Array(0), {
      dim: 8,
    });
    expect(empty).toMatchObject({ dim: 8, count: 0 });
    const reservedOnly = trainEmbeddings(
      { ids: new Int32Array(0), sentenceStarts: new Int32Array(0) },
      new Uint32Array(3),
      { dim: 8 },
    );
    expect(reservedOnly.count).toBe(3);

    for (const sentences of [
      [['hello']],
      [['hello', 'hello']],
      [['a', 'b']],
      [['a'], ['b'], ['c']],
      [['x', 'y', 'z', 'x', 'y']],
    ]) {
      const corpus = corpusOf(sentences);
      // minCount 1: every word, singletons included, gets a row of a tiny corpus.
      const table = train(corpus, 64, 1, { minCount: 1 });
      expect(table.count).toBe(corpus.vocab.length);
      expect(table.values.every((value) => Number.isFinite(value))).toBe(true);
      expect(Array.from(table.scales).every((scale) => Number.isFinite(scale) && scale >= 0)).toBe(true);
      const index = embeddingIndex(table, corpus.vocab);
      expect(() => index.similar(corpus.vocab[3], 5)).not.toThrow();
      expect(() => index.similar('unseen', 5)).not.toThrow();
    }
  });

  it('handles sentences made only of <unk> and empty sentences', () => {
    const table = trainEmbeddings(
      { ids: Int32Array.from([0, 0, 3, 0, 4]), sentenceStarts: Int32Array.from([0, 2, 2, 5]) },
      Uint32Array.from([3, 0, 0, 1, 1]),
      { dim: 4, minCount: 1 },
    );
    expect(table.count).toBe(5);
  });

  it('gives no row of their own to words seen fewer than minCount times (default 2); the subword fallback covers them', () => {
    const sentences = [
      ['the', 'cat', 'sat'],
      ['the', 'cat', 'ran'],
      ['the', 'dog', 'sat'],
      ['a', 'dog', 'ran'],
      ['the', 'bird', 'sang'],
    ];
    const corpus = corpusOf(sentences);
    const table = train(corpus, 8);
    const seenTwice = corpus.vocab.filter((_word, id) => id >= 3 && corpus.counts[id] >= 2);
    expect(table.count).toBe(3 + seenTwice.length);
    const index = embeddingIndex(table, corpus.vocab);
    // 'sang' (seen once) has no row, yet still gets a vector, from its character n-grams.
    expect(corpus.vocab.indexOf('sang')).toBeGreaterThanOrEqual(table.count);
    expect(index.vectorOf('sang')).not.toBeNull();
    expect(train(corpus, 8, 1, { minCount: 3 }).count).toBe(
      3 + corpus.vocab.filter((_word, id) => id >= 3 && corpus.counts[id] >= 3).length,
    );
    expect(() => train(corpus, 8, 1, { minCount: 0 })).toThrow(/minCount/);
  });
});

describe('quantizeRows', () => {
  it('keeps each row within a cosine of 0.999 of the float vector', () => {
    const pick = chooser(3);
    const rows = 203;
    const dim = 32;
    const vectors = new Float64Array(rows * dim);
    const components = Array.from({ length: 2001 }, (_, i) => (i - 1000) / 137);
    for (let i = 3 * dim; i < vectors.length; i++) vectors[i] = pick(components);
    const table: EmbeddingTable = {
      dim,
      count: rows,
      values: new Int8Array(rows * dim),
      scales: new Float32Array(rows),
    };
    quantizeRows(vectors, rows, dim, table);
    let worst = 1;
    for (let r = 3; r < rows; r++) {
      const original = Float32Array.from(vectors.subarray(r * dim, (r + 1) * dim));
      const restored = Float32Array.from(
        table.values.subarray(r * dim, (r + 1) * dim),
        (value) => value * table.scales[r],
      );
      worst = Math.min(worst, cosine(original, restored));
      // Each component is off by at most half a quantization step of the unit vector.
      const norm = Math.hypot(...original);
      for (let d = 0; d < dim; d++)
        expect(Math.abs(original[d] / norm - restored[d])).toBeLessThanOrEqual(table.scales[r] / 2 + 1e-7);
    }
    expect(worst).toBeGreaterThan(0.999);
  });
});

describe('embeddingIndex', () => {
  it('gives an unseen word the vector of the known word it shares its stem with (runnings → running)', () => {
    const corpus = morphologyCorpus();
    // 16 dimensions: enough for the four verbs' own adverbs to tell their vectors apart.
    const index = embeddingIndex(train(corpus, 16), corpus.vocab);
    expect(corpus.vocab).not.toContain('runnings');
    const estimate = index.vectorOf('runnings')!;
    expect(estimate).not.toBeNull();
    expect(index.similar('runnings', 1)[0].word).toBe('running');
    expect(cosine(estimate, index.vectorOf('running')!)).toBeGreaterThan(0.8);
  });

  it('matches n-grams with accents and characters outside the BMP', () => {
    const pick = chooser(5);
    const sentences: string[][] = [];
    for (let i = 0; i < 600; i++) {
      sentences.push(['el', 'niño', pick(['corre', 'salta']), pick(['rápido', 'lejos'])]);
      sentences.push(['la', 'canción', pick(['suena', 'termina']), 'hoy']);
      sentences.push(['𝒳𝒴z', pick(['brilla', 'gira']), 'en', 'el', 'cielo']);
    }
    const corpus = corpusOf(sentences);
    const index = embeddingIndex(train(corpus, 8), corpus.vocab);
    expect(index.similar('niños', 1)[0].word).toBe('niño');
    expect(index.similar('canciónes', 1)[0].word).toBe('canción');
    expect(index.similar('𝒳𝒴zz', 1)[0].word).toBe('𝒳𝒴z');
  });

  it('looks up an unseen capitalisation through its lower-case form first', () => {
    const corpus = separatedContextsCorpus();
    const index = embeddingIndex(train(corpus, 8), corpus.vocab);
    expect(index.vectorOf('Cat')).toEqual(index.vectorOf('cat'));
    expect(index.vectorOf('CAT')).toEqual(index.vectorOf('cat'));
  });

  it('returns null for a word with no known n-gram and for ids without a row', () => {
    const corpus = separatedContextsCorpus();
    const index = embeddingIndex(train(corpus, 8), corpus.vocab);
    expect(index.vectorOf('zzqx')).toBeNull();
    expect(index.similar('zzqx', 3)).toEqual([]);
    expect(index.rowVector(0)).toBeNull();
    expect(index.rowVector(corpus.vocab.length)).toBeNull();
    expect(index.rowVector(-1)).toBeNull();
  });

  it('ranks by cosine, best first, honouring k and the excluded ids', () => {
    const corpus = separatedContextsCorpus();
    const index = embeddingIndex(train(corpus, 8), corpus.vocab);
    // "painted" is the only word between "she" and "the": no other row equals its own.
    const painted = corpus.vocab.indexOf('painted');
    const ranked = index.nearest(index.rowVector(painted)!, 4);
    expect(ranked).toHaveLength(4);
    expect(ranked[0].id).toBe(painted);
    expect(ranked[0].score).toBeCloseTo(1, 5);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i].score).toBeLessThanOrEqual(ranked[i - 1].score);
    const withoutPainted = index.nearest(index.rowVector(painted)!, 3, new Set([painted]));
    expect(withoutPainted.map((neighbour) => neighbour.id)).toEqual(
      ranked.slice(1, 4).map((neighbour) => neighbour.id),
    );
    expect(index.nearest(index.rowVector(painted)!, 0)).toEqual([]);
    expect(index.nearest(new Float32Array(8), 3)).toEqual([]);
  });

  it('agrees with a float cosine over the dequantized rows', () => {
    const corpus = separatedContextsCorpus();
    const index = embeddingIndex(train(corpus, 8), corpus.vocab);
    const query = index.vectorOf('red')!;
    for (const { id, score } of index.nearest(query, 5))
      expect(score).toBeCloseTo(cosine(query, index.rowVector(id)!), 5);
  });

  it('excludes the word itself, or the case variant standing for it, from similar()', () => {
    const corpus = separatedContextsCorpus();
    const index = embeddingIndex(train(corpus, 8), corpus.vocab);
    expect(index.similar('blue', 5).map((neighbour) => neighbour.word)).not.toContain('blue');
    expect(index.similar('Blue', 5).map((neighbour) => neighbour.word)).not.toContain('blue');
    expect(index.similar('Blue', 5)).toEqual(index.similar('blue', 5));
  });
});
