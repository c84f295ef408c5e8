// image-file.ts's readImageFile: an image read into new memory but for its vocabulary text, which is
// decoded apart (in the buffer's room just after it, overwritten by the rest) and handed to
// decodeImage; the buffer's own bytes there are never written. Anything that does not check out
// is read whole, for decodeImage to refuse as before.
import { mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../src/cli/image-file.js';
import {
  decodeImage,
  EMBEDDINGS_LATER_BYTES,
  encodeImage,
  imageEmbeddingsPlace,
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

/** What a read gives: its answer, or the kind of ModelFormatError it refused with (anything else is a crash). */
function outcomeOf(read: () => string): string {
  try {
    return read();
  } catch (error) {
    return error instanceof ModelFormatError ? `refused: ${error.kind}` : `crashed: ${String(error)}`;
  }
}

/** The image with one byte flipped, cut at or after it (or whole). */
const damagedImage = fc
  .tuple(fc.nat({ max: image.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: image.length }))
  .map(([at, flip, cut]) => {
    const damaged = image.slice(0, Math.max(cut, at + 1));
    damaged[at] ^= flip;
    return damaged;
  });

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
    const outcome = (load: () => ReturnType<typeof decodeImage>) => outcomeOf(() => load().vocab.join(' '));
    fc.assert(
      fc.property(damagedImage, (damaged) => {
        const file = readImageFile(written(damaged, 'fuzzed.uli'));
        expect(outcome(() => decodeImage(file.image, { source: 'source', vocabularyText: file.vocabularyText }))).toBe(
          outcome(() => decodeImage(damaged, { source: 'source' })),
        );
      }),
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

// The embeddings (at least EMBEDDINGS_LATER_BYTES; 0 here, the test model's are a few KB) are left unread in the
// buffer and read from the file, kept open, on first use: an unknown prompt word, steering, `similar`.
describe('readImageFile: embeddings on first use', () => {
  const embeddings = imageEmbeddingsPlace(image, image.length, 0);
  const fromWhole = decodeImage(image, { source: 'source' });
  const uses = (loaded: ReturnType<typeof decodeImage>) => [
    JSON.stringify(loaded.similar('cat', 5)),
    loaded.generate({ seed: 3, prompt: 'zebra cat' }).text,
    loaded.generate({ seed: 4, steer: 0.8, prompt: 'the dog' }).text,
  ];
  const load = (path: string) => {
    const file = readImageFile(path, 0);
    const { vocabularyText, embeddingsLater } = file;
    return { file, model: decodeImage(file.image, { source: 'source', vocabularyText, embeddingsLater }) };
  };
  const hole = (bytes: Uint8Array) => {
    if (embeddings === null) throw new Error('no embeddings place');
    return bytes.subarray(embeddings.offset, embeddings.offset + embeddings.bytes);
  };

  it('are the last sections, and left whole when smaller than the threshold', () => {
    expect(embeddings).not.toBeNull();
    if (embeddings === null || place === null) throw new Error('no embeddings or vocabulary place');
    expect(embeddings.offset).toBeGreaterThan(place.offset);
    expect(embeddings.offset + embeddings.bytes).toBe(image.length);
    expect(embeddings.bytes).toBeLessThan(EMBEDDINGS_LATER_BYTES);
    expect(readImageFile(written(image, 'small.uli')).embeddingsLater).toBeUndefined();
    expect(imageEmbeddingsPlace(image, image.length, embeddings.bytes + 1)).toBeNull();
  });

  it('are not read by a default generation, stats or the counted bytes, and then read as a whole load reads them', () => {
    const { file, model: loaded } = load(written(image, 'later.uli'));
    expect(file.embeddingsLater).toBeDefined();
    for (let seed = 0; seed < 20; seed++)
      expect(loaded.generate({ seed }).text).toBe(fromWhole.generate({ seed }).text);
    expect(loaded.stats.embeddings).toBe(fromWhole.stats.embeddings);
    expect(loaded.stats.embeddingDim).toBe(fromWhole.stats.embeddingDim);
    // Counted from the start: the image's buffer holds their place.
    expect(loaded.memoryBytes()).toBe(fromWhole.memoryBytes());
    expect(hole(file.image).every((byte) => byte === 0)).toBe(true);
    expect(uses(loaded)).toEqual(uses(fromWhole));
    // Read into their place: the buffer is the file's bytes but for the vocabulary text (read apart).
    expect(hole(file.image)).toEqual(hole(image));
    expect(loaded.memoryBytes()).toBe(fromWhole.memoryBytes());
    expect(loaded.embeddings).toEqual(fromWhole.embeddings);
  });

  it('are read from the file as it was when it is deleted or replaced meanwhile', () => {
    const deleted = load(written(image, 'deleted.uli'));
    rmSync(join(dir, 'deleted.uli'));
    expect(uses(deleted.model)).toEqual(uses(fromWhole));
    const replaced = load(written(image, 'replaced.uli'));
    const other = encodeImage(train(['a b c d .', 'b c d e .'], { maxPatternLength: 2 }), 'source');
    renameSync(written(other, 'other.uli'), join(dir, 'replaced.uli'));
    expect(uses(replaced.model)).toEqual(uses(fromWhole));
  });

  it('give a ModelFormatError on first use, and on every later one, when damaged or cut meanwhile', () => {
    if (embeddings === null) throw new Error('no embeddings place');
    const damaged = image.slice();
    damaged[embeddings.offset + 5] ^= 0x10;
    const { model: loaded } = load(written(damaged, 'damaged-embeddings.uli'));
    expect(loaded.generate({ seed: 1 }).text).toBe(fromWhole.generate({ seed: 1 }).text);
    expect(() => loaded.similar('cat')).toThrow(/image section embeddingValues is damaged/);
    expect(() => loaded.generate({ seed: 1, prompt: 'zebra' })).toThrow(ModelFormatError);
    const cut = load(written(image, 'cut-later.uli'));
    truncateSync(join(dir, 'cut-later.uli'), embeddings.offset + 3);
    expect(() => cut.model.similar('cat')).toThrow(/image embeddings cannot be read/);
    expect(() => cut.model.similar('cat')).toThrow(ModelFormatError);
  });

  it('accepts and refuses exactly the damaged or cut images a whole read does, with the same answers (fast-check)', () => {
    const outcome = (read: () => ReturnType<typeof decodeImage>) =>
      outcomeOf(() => {
        const loaded = read();
        return [loaded.vocab.join(' '), ...uses(loaded)].join('\n');
      });
    fc.assert(
      fc.property(damagedImage, (damaged) => {
        const path = written(damaged, 'fuzzed-later.uli');
        expect(outcome(() => load(path).model)).toBe(outcome(() => decodeImage(damaged, { source: 'source' })));
      }),
      { numRuns: 300 },
    );
  });

  it('are damaged where a flip in their place lands, found on first use only', () => {
    if (embeddings === null) throw new Error('no embeddings place');
    fc.assert(
      fc.property(fc.nat({ max: embeddings.bytes - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const damaged = image.slice();
        damaged[embeddings.offset + at] ^= flip;
        // A flip in the padding between the two sections is in no CRC, as in a whole read.
        const whole = (() => {
          try {
            return decodeImage(damaged, { source: 'source' }).similar('cat').length;
          } catch (error) {
            return error instanceof ModelFormatError ? error.kind : 'crashed';
          }
        })();
        const { model: loaded } = load(written(damaged, 'fuzzed-embeddings.uli'));
        expect(loaded.generate({ seed: 2 }).text).toBe(fromWhole.generate({ seed: 2 }).text);
        try {
          expect(loaded.similar('cat').length).toBe(whole);
        } catch (error) {
          if (!(error instanceof ModelFormatError)) throw error;
          expect(error.kind).toBe(whole);
        }
      }),
      { numRuns: 200 },
    );
  });
});
