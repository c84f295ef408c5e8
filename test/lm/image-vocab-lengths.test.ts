// The model image's word lengths (vocabLengths): 16 bits each, 32 when a word is longer than that holds.
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage, train } from '../../src/lm/index.js';
import { readImage } from '../../src/lm/image/layout.js';

describe('image word lengths', () => {
  it('stores 16-bit word lengths, 32-bit ones for a word beyond 65,535 units, and reads the vocabulary back', () => {
    const long = 'x'.repeat(70_000);
    for (const [text, bytes] of [
      [['the cat sat on the mat', 'a dog sat on a log', 'ñandú y pingüino 🐧 en la nieve'], 2],
      [['the cat sat on the mat', `a ${long} sat`, 'a dog sat on a log'], 4],
    ] as const) {
      const model = train([...text], { maxPatternLength: 3, embeddingDim: 0 });
      const image = encodeImage(model, 's');
      const read = readImage(image);
      expect(read.fields.vocabLengthBytes).toBe(bytes);
      expect(read.sections.get('vocabLengths')?.bytes).toBe(bytes * model.vocab.length);
      expect(decodeImage(image).vocab).toEqual(model.vocab);
    }
  });
});
