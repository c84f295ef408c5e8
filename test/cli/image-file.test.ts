// image-file.ts's readImageFile: an image read into new memory but for its vocabulary text, which is
// decoded apart (in the buffer's room just after it, overwritten by the rest) and handed to
// decodeImage; the buffer's own bytes there are never written. Anything that does not check out
// is read whole, for decodeImage to refuse as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../src/cli/image-file.js';
import {
  decodeImage,
  encodeImage,
  imageVocabularyPlace,
  imageVocabularyText,
  ModelFormatError,
  train,
} from '../../src/lm/index.js';

const dir = mkdtempSync(join(tmpdir(), 'image-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = Array.from(
  { length: 80 },
  (_, i) => `the cat number ${i} sat on the mat , “ said ” the dog ñandú ${i % 7} .`,
);
const model = train(lines, { maxPatternLength: 3 });
const image = encodeImage(model, 'source');
const place = imageVocabularyPlace(image, image.length);

function written(bytes: Uint8Array, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('readImageFile', () => {
  it('finds the vocabulary text from the frame and header alone', () => {
    expect(place).not.toBeNull();
    if (place === null) return;
    const head = image.subarray(0, place.offset);
    expect(imageVocabularyPlace(head, image.length)).toEqual(place);
    expect(imageVocabularyText(place, image.subarray(place.offset, place.offset + place.bytes))).toBe(
      model.vocab.join(''),
    );
    // Of another size than the file, or cut inside the header: not found (the reader reads it whole).
    expect(imageVocabularyPlace(head, image.length + 1)).toBeNull();
    expect(imageVocabularyPlace(image.subarray(0, 30), image.length)).toBeNull();
  });

  it('reads every byte but the vocabulary text, and the model loads from it with the same words and texts', () => {
    if (place === null) throw new Error('no vocabulary place');
    const file = readImageFile(written(image, 'whole.uli'));
    expect(file.vocabularyText).toBe(model.vocab.join(''));
    const hole = file.image.subarray(place.offset, place.offset + place.bytes);
    expect(hole.every((byte) => byte === 0)).toBe(true);
    const outside = (bytes: Uint8Array) => [
      bytes.subarray(0, place.offset),
      bytes.subarray(place.offset + place.bytes),
    ];
    expect(outside(file.image)).toEqual(outside(image));
    const loaded = decodeImage(file.image, { source: 'source', vocabularyText: file.vocabularyText });
    const fromWhole = decodeImage(image, { source: 'source' });
    expect(loaded.vocab).toEqual(model.vocab);
    for (let seed = 0; seed < 20; seed++)
      expect(loaded.generate({ seed }).text).toBe(fromWhole.generate({ seed }).text);
  });

  it('reads a damaged vocabulary whole, so that decodeImage refuses it', () => {
    if (place === null) throw new Error('no vocabulary place');
    const damaged = image.slice();
    damaged[place.offset] ^= 0x40;
    const file = readImageFile(written(damaged, 'damaged.uli'));
    expect(file.vocabularyText).toBeUndefined();
    expect(file.image).toEqual(damaged);
    expect(() => decodeImage(file.image, { source: 'source' })).toThrow(/vocabText is damaged/);
  });

  it('reads whole what has no frame or header to go by, and decodeImage refuses it as before', () => {
    for (const bytes of [image.subarray(0, 10), image.subarray(0, 100), Uint8Array.of(1, 2, 3), new Uint8Array(0)]) {
      const file = readImageFile(written(bytes, 'short.uli'));
      expect(file.vocabularyText).toBeUndefined();
      expect(file.image).toEqual(bytes);
      expect(() => decodeImage(file.image)).toThrow(ModelFormatError);
    }
  });

  it('accepts and refuses exactly the damaged or cut images a whole read does, with the same words', () => {
    const outcome = (load: () => ReturnType<typeof decodeImage>) => {
      try {
        return load().vocab.join(' ');
      } catch (error) {
        return error instanceof ModelFormatError ? `refused: ${error.kind}` : `crashed: ${String(error)}`;
      }
    };
    fc.assert(
      fc.property(
        fc.nat({ max: image.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.nat({ max: image.length }),
        (at, flip, cut) => {
          const damaged = image.slice(0, Math.max(cut, at + 1));
          damaged[at] ^= flip;
          const file = readImageFile(written(damaged, 'fuzzed.uli'));
          expect(
            outcome(() => decodeImage(file.image, { source: 'source', vocabularyText: file.vocabularyText })),
          ).toBe(outcome(() => decodeImage(damaged, { source: 'source' })));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses vocabulary text apart that is not the section’s own', () => {
    if (place === null) throw new Error('no vocabulary place');
    const text = image.slice(place.offset, place.offset + place.bytes);
    expect(() => imageVocabularyText(place, text.subarray(1))).toThrow(ModelFormatError);
    text[0] ^= 1;
    expect(() => imageVocabularyText(place, text)).toThrow(/damaged/);
  });
});
