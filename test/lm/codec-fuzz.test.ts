// Property tests: whatever bytes it is given, decodeModelFile returns a structurally valid model
// or throws ModelFormatError — never another error, a hang or a crash. Seeds are fixed so a
// failure reproduces.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModelFile, encodeModelFile, frameModelPayload } from '../../src/lm/codec.js';
import { ModelFormatError, type ModelFile } from '../../src/lm/types.js';
import {
  TINY_TEXT,
  countCorpus,
  dropNodes,
  modelFileFor,
  syntheticSentences,
  tokenize,
  withPrunedExtras,
} from './codec-fixtures.js';
import { FRAME_BYTES, openPayload, sealPayload } from './codec-helpers.js';
import { expectStructurallyValid } from './codec-validity.js';

/** Decodes `bytes`; a result must be valid, an error must be a ModelFormatError. */
function decodeOrRefuse(bytes: Uint8Array): ModelFile | ModelFormatError {
  try {
    const file = decodeModelFile(bytes);
    expectStructurallyValid(file);
    return file;
  } catch (error) {
    if (error instanceof ModelFormatError) return error;
    throw error;
  }
}

// Small files keep each run cheap: the pruned one has excess and a pruned model's extra arrays,
// the dropped one escaped words.
const files = [
  encodeModelFile(modelFileFor(countCorpus(tokenize(TINY_TEXT), 3), { embeddingDim: 4 })),
  encodeModelFile(
    withPrunedExtras(modelFileFor(countCorpus(syntheticSentences(60, 25, 3), 4, 2), { params: { minFrequency: 2 } })),
  ),
  (() => {
    const full = countCorpus(syntheticSentences(50, 20, 4), 4);
    return encodeModelFile(
      modelFileFor({
        vocab: full.vocab,
        counts: dropNodes(full.counts, (level, node) => level === 1 && node % 2 === 0),
      }),
    );
  })(),
];
// The same files with raw streams under a valid checksum, so byte edits reach the trie decoder
// instead of stopping at the checksum or inside inflate.
const rawFiles = files.map((bytes) => sealPayload(openPayload(bytes)));

const anyFile = fc.integer({ min: 0, max: files.length - 1 });
const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });

function applyEdits(bytes: Uint8Array, changes: [number, number][]): Uint8Array {
  const edited = bytes.slice();
  for (const [at, value] of changes) edited[at % edited.length] = value;
  return edited;
}

describe('model file decoding under damage (property)', () => {
  it('returns a valid model or a ModelFormatError when bytes anywhere are changed', () => {
    fc.assert(
      fc.property(anyFile, edits, (which, changes) => {
        decodeOrRefuse(applyEdits(files[which], changes));
      }),
      { numRuns: 150, seed: 20251123 },
    );
  });

  it('says truncated for every cut of a valid file', () => {
    fc.assert(
      fc.property(anyFile, fc.nat(), (which, cut) => {
        const bytes = files[which];
        const result = decodeOrRefuse(bytes.subarray(0, cut % bytes.length));
        expect(result).toBeInstanceOf(ModelFormatError);
        expect((result as ModelFormatError).kind).toBe('truncated');
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('refuses a valid file with bytes appended', () => {
    fc.assert(
      fc.property(anyFile, fc.uint8Array({ minLength: 1, maxLength: 40 }), (which, tail) => {
        const bytes = files[which];
        const extended = new Uint8Array(bytes.length + tail.length);
        extended.set(bytes);
        extended.set(tail, bytes.length);
        expect(decodeOrRefuse(extended)).toBeInstanceOf(ModelFormatError);
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('returns a valid model or a ModelFormatError when a sealed payload is edited, cut or extended', () => {
    // Each mode damages the payload alone; resealing then puts the damage under a valid checksum.
    const damage = fc.oneof(
      edits.map((changes) => (payload: Uint8Array) => applyEdits(payload, changes)),
      fc.nat().map((cut) => (payload: Uint8Array) => payload.subarray(0, cut % payload.length)),
      fc.uint8Array({ minLength: 1, maxLength: 30 }).map((tail) => (payload: Uint8Array) => {
        const extended = new Uint8Array(payload.length + tail.length);
        extended.set(payload);
        extended.set(tail, payload.length);
        return extended;
      }),
    );
    fc.assert(
      fc.property(anyFile, damage, (which, damageIt) => {
        decodeOrRefuse(frameModelPayload(damageIt(rawFiles[which].subarray(FRAME_BYTES))));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('restores random corpora exactly, pruned or not, with or without suffixes', () => {
    fc.assert(
      fc.property(
        fc.record({
          sentences: fc.integer({ min: 1, max: 40 }),
          words: fc.integer({ min: 1, max: 30 }),
          seed: fc.nat(),
          order: fc.integer({ min: 1, max: 6 }),
          minFrequency: fc.integer({ min: 1, max: 3 }),
          dropEvery: fc.integer({ min: 0, max: 5 }),
          embeddingDim: fc.constantFrom(0, 3),
        }),
        ({ sentences, words, seed, order, minFrequency, dropEvery, embeddingDim }) => {
          const corpus = countCorpus(syntheticSentences(sentences, words, seed), order, minFrequency);
          const counts =
            dropEvery === 0
              ? corpus.counts
              : dropNodes(corpus.counts, (level, node) => node % dropEvery === level % dropEvery);
          const counted = modelFileFor({ vocab: corpus.vocab, counts }, { embeddingDim, params: { minFrequency } });
          const file = minFrequency > 1 ? withPrunedExtras(counted) : counted;
          expect(decodeModelFile(encodeModelFile(file))).toEqual(file);
        },
      ),
      { numRuns: 60, seed: 5 },
    );
  });
});
