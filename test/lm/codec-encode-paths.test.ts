// The count trie's two encoding paths write the same bytes: a model's save reads each child's rank
// off the graph's suffix links, a bare ModelFile's searches the suffix's children for it. And a
// file is read whatever deflate level its streams were written at (files written before the level
// changed from 5 to 2 decode unchanged).
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeModelFile, encodeModelFile } from '../../src/lm/codec.js';
import { decode, encode, train, type Model } from '../../src/lm/index.js';
import { countCorpus, dropNodes, modelFileFor, syntheticSentences, tokenize } from './codec-fixtures.js';
import { openPayload, sealPayload, type Stream } from './codec-helpers.js';

const TEXT = syntheticSentences(400, 120, 7).map((sentence) => sentence.join(' '));

function bothPaths(model: Model): { indexed: Uint8Array; searched: Uint8Array } {
  const file = model.toFile(0);
  return { indexed: encodeModelFile(file, model.graph), searched: encodeModelFile(file) };
}

describe('count trie encoding through the graph’s suffix links', () => {
  it('writes the bytes the suffix search writes, for an unpruned model of order 5', () => {
    const { indexed, searched } = bothPaths(train(TEXT, { maxPatternLength: 5, embeddingDim: 0 }));
    expect(Buffer.from(indexed).equals(Buffer.from(searched))).toBe(true);
  });

  it('writes the same bytes for pruned models (min-frequency 2, max-patterns)', () => {
    for (const params of [
      { maxPatternLength: 4, minFrequency: 2 },
      { maxPatternLength: 5, maxPatterns: 900 },
    ]) {
      const { indexed, searched } = bothPaths(train(TEXT, { ...params, embeddingDim: 0 }));
      expect(Buffer.from(indexed).equals(Buffer.from(searched))).toBe(true);
    }
  });

  it('escapes the words whose suffix is not stored, as the search does', () => {
    const full = countCorpus(tokenize(TEXT.join('\n')), 4);
    // Bigrams dropped: trigrams and 4-grams above other bigrams lose their exact suffixes.
    const counts = dropNodes(full.counts, (level, node) => level === 1 && node % 3 === 0);
    const file = modelFileFor({ vocab: full.vocab, counts });
    const model = decode(encodeModelFile(file));
    const { indexed, searched } = bothPaths(model);
    expect(Buffer.from(indexed).equals(Buffer.from(searched))).toBe(true);
    expect(decodeModelFile(indexed).counts).toEqual(file.counts);
  });
});

describe('deflate level of the stored streams', () => {
  it('reads files whose streams were deflated at any level, as the current level’s file', () => {
    const model = train(TEXT, { maxPatternLength: 5, embeddingDim: 8 });
    const bytes = encode(model, 0);
    const expected = decodeModelFile(bytes);
    for (const level of [1, 5, 9]) {
      const payload = openPayload(bytes);
      const deflate = (stream: Stream | null): Stream | null => {
        if (stream === null || stream[1] < 64) return stream;
        return [1, stream[1], new Uint8Array(zlib.deflateRawSync(stream[2], { level, memLevel: 9 }))];
      };
      payload.vocab.lengths = deflate(payload.vocab.lengths) as Stream;
      payload.vocab.text = deflate(payload.vocab.text) as Stream;
      payload.counts.levels = payload.counts.levels.map((streams) => streams.map(deflate));
      const relevelled = sealPayload(payload);
      expect(decodeModelFile(relevelled)).toEqual(expected);
    }
  });
});
