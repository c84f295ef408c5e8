import { describe, expect, it } from 'vitest';
import { decodeIndexedModelFile, encodeModelFile } from '../../src/lm/codec.js';
import { buildPatternGraph, indexedPatternGraph } from '../../src/lm/graph.js';
import { Model, decode, encode, train, trainAppend } from '../../src/lm/index.js';
import type { CountTrie, ModelFile } from '../../src/lm/types.js';
import { TINY_TEXT, countCorpus, dropNodes, modelFileFor, syntheticSentences, tokenize } from './codec-fixtures.js';

/** The graph from the decoder's index must be the graph indexed from the decoded counts alone. */
function expectSameGraph(file: ModelFile): number {
  const { file: decoded, index } = decodeIndexedModelFile(encodeModelFile(file));
  let unknownSuffixes = 0;
  for (let node = index.offsets[1]; node < index.suffix.length; node++) if (index.suffix[node] < 0) unknownSuffixes++;
  const searched = buildPatternGraph(decoded.counts, decoded.vocab.length);
  const indexed = indexedPatternGraph(index, decoded.vocab.length);
  for (const field of ['offsets', 'word', 'count', 'childStart', 'suffix'] as const) {
    expect(Array.from(indexed[field]), field).toEqual(Array.from(searched[field]));
  }
  expect(indexed.levels.map((level) => Array.from(level.word))).toEqual(
    searched.levels.map((level) => Array.from(level.word)),
  );
  // The decoder's graph holds no parent array: its levels derive each node's parent from the child starts.
  expect(indexed.parent).toBeUndefined();
  expect(indexed.levels.map((level) => Array.from(level.parent))).toEqual(
    searched.levels.map((level) => Array.from(level.parent)),
  );
  expect(decoded.counts.levels.map((level) => Array.from(level.parent))).toEqual(
    searched.levels.map((level) => Array.from(level.parent)),
  );
  return unknownSuffixes;
}

describe('loading through the decoder index', () => {
  it('gives the graph of the decoded counts for tries with every suffix stored', () => {
    for (const order of [1, 2, 3, 5])
      expect(expectSameGraph(modelFileFor(countCorpus(tokenize(TINY_TEXT), order)))).toBe(0);
    expect(expectSameGraph(modelFileFor(countCorpus(syntheticSentences(300, 40), 4)))).toBe(0);
  });

  it('searches the suffix of words stored without one (a trie pruned without keeping suffixes)', () => {
    const full = countCorpus(syntheticSentences(300, 40, 3), 5);
    const counts: CountTrie = dropNodes(full.counts, (level, node) => level > 0 && node % 5 === 2);
    expect(expectSameGraph(modelFileFor({ vocab: full.vocab, counts }))).toBeGreaterThan(0);
  });

  it('loads a trained model with the probabilities it was trained with', () => {
    const model = train(
      syntheticSentences(400, 60, 9).map((words) => words.join(' ')),
      { maxPatternLength: 4, embeddingDim: 0 },
    );
    const loaded = decode(encode(model, 0));
    expect(Array.from(loaded.estimate.prob)).toEqual(Array.from(model.estimate.prob));
    expect(Array.from(loaded.estimate.backoff)).toEqual(Array.from(model.estimate.backoff));
    expect(Array.from(loaded.graph.suffix)).toEqual(Array.from(model.graph.suffix));
  });
});

describe('moving a model between threads', () => {
  const lines = syntheticSentences(300, 50, 4).map((words) => words.join(' '));

  for (const [label, params] of [
    ['unpruned with embeddings', { maxPatternLength: 3, embeddingDim: 8 }],
    ['pruned', { maxPatternLength: 4, minFrequency: 2, embeddingDim: 0 }],
  ] as const) {
    it(`rebuilds the same ${label} model from its transferred arrays`, () => {
      const model = train(lines, params);
      const expectedFile = encode(model, 5);
      const expectedText = model.generate({ seed: 3, temperature: 0.7 }).text;
      const { model: data, transfer } = model.toTransferable();
      const moved = Model.fromTransferable(structuredClone(data, { transfer }));
      expect(model.graph.word.length).toBe(0); // transferred away, not copied
      expect(encode(moved, 5)).toEqual(expectedFile);
      expect(moved.generate({ seed: 3, temperature: 0.7 }).text).toBe(expectedText);
      expect(moved.probability(['<s>', lines[0].split(' ')[0]], lines[0].split(' ')[1])).toBe(
        decode(expectedFile).probability(['<s>', lines[0].split(' ')[0]], lines[0].split(' ')[1]),
      );
      // memoryBytes differs by the ranking cache generation built.
      expect({ ...moved.stats, memoryBytes: 0 }).toEqual({ ...decode(expectedFile).stats, memoryBytes: 0 });
    });
  }
});

describe('saving through the model index', () => {
  it('writes the same bytes as the encoder working from the counts alone', () => {
    const text = syntheticSentences(400, 60, 11).map((words) => words.join(' '));
    for (const params of [
      { maxPatternLength: 1 },
      { maxPatternLength: 3 },
      { maxPatternLength: 5 },
      { maxPatternLength: 5, minFrequency: 2 },
      { maxPatternLength: 4, maxPatterns: 300 },
    ]) {
      const model = train(text, { ...params, embeddingDim: 0 });
      expect(
        Buffer.from(encode(model, 7)).equals(Buffer.from(encodeModelFile(model.toFile(7)))),
        JSON.stringify(params),
      ).toBe(true);
    }
  });

  it('writes the same bytes for a loaded trie whose pruned words had no stored suffix', () => {
    const full = countCorpus(syntheticSentences(300, 40, 3), 5);
    const counts: CountTrie = dropNodes(full.counts, (level, node) => level > 0 && node % 5 === 2);
    const model = decode(encodeModelFile(modelFileFor({ vocab: full.vocab, counts })));
    expect(Buffer.from(encode(model, 3)).equals(Buffer.from(encodeModelFile(model.toFile(3))))).toBe(true);
  });
});

describe('loading into the buffers of a dropped model', () => {
  const lines = syntheticSentences(400, 60, 12).map((words) => words.join(' '));

  /** Every array a loaded model computes, as plain numbers. */
  const arrays = (model: Model) => {
    const { word, count, childStart, suffix } = model.graph;
    const { prob, backoff, cumulative } = model.estimate;
    return Object.fromEntries(
      Object.entries({ word, count, childStart, suffix, prob, backoff, cumulative }).map(([name, array]) => [
        name,
        Array.from(array),
      ]),
    );
  };

  for (const [label, params] of [
    ['unpruned', { maxPatternLength: 4, embeddingDim: 0 }],
    ['pruned', { maxPatternLength: 5, minFrequency: 2, embeddingDim: 4 }],
  ] as const) {
    it(`gives the same ${label} model in reused buffers full of old values as in new memory`, () => {
      const bytes = encode(train(lines, params), 1);
      const fresh = decode(bytes);
      const freshBytes = fresh.memoryBytes(); // before generation adds its rankings
      // One buffer per array (adjusted counts become the cumulative shares): six arrays of n-grams
      // or contexts, each a buffer of its own, as plain allocation gives them.
      const sizes = fresh.arrayBuffers().map((buffer) => buffer.byteLength);
      expect(sizes).toHaveLength(7);

      const dirty = sizes.map((size) => new Uint8Array(size).fill(0xa5).buffer);
      const tooSmall = new ArrayBuffer(Math.min(...sizes) - 4);
      const tooLarge = new ArrayBuffer(3 * Math.max(...sizes));
      const spare = [tooLarge, ...dirty, tooSmall];
      const reused = decode(bytes, { spare });
      expect(new Set(reused.arrayBuffers())).toEqual(new Set(dirty)); // each array in an exact fit
      expect(spare).toEqual([tooLarge, tooSmall]); // taken out of the list; the others stay
      expect(arrays(reused)).toEqual(arrays(fresh));
      expect(reused.memoryBytes()).toBe(freshBytes);
      expect(Buffer.from(encode(reused, 1)).equals(Buffer.from(encode(fresh, 1)))).toBe(true);
      expect(reused.generate({ seed: 5, temperature: 0.8 }).text).toBe(
        fresh.generate({ seed: 5, temperature: 0.8 }).text,
      );
      expect(reused.score(lines.slice(0, 20).join('\n'))).toEqual(fresh.score(lines.slice(0, 20).join('\n')));

      // A looser fit (up to twice the size) is used when it is the only one, and the model holds
      // (and counts) all of it.
      const largest = Math.max(...sizes);
      const loose = decode(bytes, { spare: [new ArrayBuffer(largest + 64)] });
      expect(loose.memoryBytes()).toBe(freshBytes + 64);
      expect(arrays(loose)).toEqual(arrays(fresh));
    });
  }

  it('moves the buffers between threads without copying them', () => {
    const model = decode(encode(train(lines, { maxPatternLength: 3, embeddingDim: 0 }), 1));
    const buffers = model.arrayBuffers();
    const sizes = buffers.map((buffer) => buffer.byteLength);
    const { model: data, transfer } = model.toTransferable();
    for (const buffer of buffers) expect(transfer).toContain(buffer);
    const moved = Model.fromTransferable(structuredClone(data, { transfer }));
    expect(buffers.every((buffer) => buffer.byteLength === 0)).toBe(true); // moved, not copied
    expect(moved.arrayBuffers().map((buffer) => buffer.byteLength)).toEqual(sizes);
  });
});

describe('loading a model only to generate and score (counts: false)', () => {
  const lines = syntheticSentences(400, 60, 13).map((words) => words.join(' '));

  for (const [label, params] of [
    ['order 1', { maxPatternLength: 1, embeddingDim: 0 }],
    ['order 3', { maxPatternLength: 3, embeddingDim: 4 }],
    ['order 5', { maxPatternLength: 5, embeddingDim: 0 }],
    ['pruned', { maxPatternLength: 4, minFrequency: 2, embeddingDim: 0 }],
    ['capped', { maxPatternLength: 4, maxPatterns: 300, embeddingDim: 0 }],
  ] as const) {
    it(`gives the same probabilities without the raw counts (${label}), one array of every n-gram smaller`, () => {
      const bytes = encode(train(lines, params), 1);
      const full = decode(bytes);
      const serving = decode(bytes, { counts: false });
      const { word, childStart, suffix } = full.graph;
      const { prob, backoff, cumulative } = full.estimate;
      expect(Array.from(serving.graph.word)).toEqual(Array.from(word));
      expect(Array.from(serving.graph.childStart)).toEqual(Array.from(childStart));
      expect(Array.from(serving.graph.suffix)).toEqual(Array.from(suffix));
      expect(Array.from(serving.estimate.prob)).toEqual(Array.from(prob));
      expect(Array.from(serving.estimate.backoff)).toEqual(Array.from(backoff));
      expect(Array.from(serving.estimate.cumulative)).toEqual(Array.from(cumulative));
      expect(serving.discounts).toEqual(full.discounts);
      const fullBytes = full.memoryBytes();
      const extras = full.graph.levels.reduce(
        (sum, level) => sum + (level.adjusted?.byteLength ?? 0) + (level.prunedMass?.byteLength ?? 0),
        0,
      );
      expect(serving.memoryBytes()).toBe(fullBytes - full.graph.count.byteLength - extras);
      expect(serving.score(lines.slice(0, 30).join('\n'))).toEqual(full.score(lines.slice(0, 30).join('\n')));
      expect(serving.generate({ seed: 4 }).text).toBe(full.generate({ seed: 4 }).text);
      expect(serving.generate({ seed: 4, temperature: 0.7, topP: 0.9 }).text).toBe(
        full.generate({ seed: 4, temperature: 0.7, topP: 0.9 }).text,
      );
    });
  }

  it('refuses to be saved or appended to, and stays so when moved between threads', () => {
    const bytes = encode(train(lines, { maxPatternLength: 3, embeddingDim: 0 }), 1);
    const serving = decode(bytes, { counts: false });
    const refusal = /loaded without its raw counts/;
    expect(() => serving.graph.count).toThrow(refusal);
    expect(() => serving.graph.levels[1].count).toThrow(refusal);
    expect(() => encode(serving, 1)).toThrow(refusal);
    expect(() => trainAppend(serving, 'more text here')).toThrow(refusal);
    // The levels still derive their parents from the child starts.
    expect(Array.from(serving.graph.levels[2].parent)).toEqual(Array.from(decode(bytes).graph.levels[2].parent));

    const { model: data, transfer } = serving.toTransferable();
    const moved = Model.fromTransferable(structuredClone(data, { transfer }));
    expect(() => moved.graph.count).toThrow(refusal);
    expect(moved.generate({ seed: 1 }).text).toBe(decode(bytes).generate({ seed: 1 }).text);
    expect(moved.arrayBuffers()).toHaveLength(6);
  });
});
