// words.ts: a vocabulary read by id from one text and its word lengths (a model image's), against
// the array of strings it stands for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage, train } from '../../src/lm/index.js';
import { ModelFormatError } from '../../src/lm/types.js';
import { ArrayWords, TextWords, Utf8Words, wordArray } from '../../src/lm/words.js';
import { syntheticSentences } from './codec-fixtures.js';

const textWords = (words: readonly string[], wide = false) => {
  const lengths = words.map((word) => word.length);
  return new TextWords(words.join(''), wide ? Uint32Array.from(lengths) : Uint16Array.from(lengths));
};

describe('TextWords', () => {
  it('reads every word as the array holds it, by id and in order, whatever its characters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 9 }), { maxLength: 200 }),
        fc.boolean(),
        (words, wide) => {
          const list = textWords(words, wide);
          expect(list.length).toBe(words.length);
          for (const [id, word] of words.entries()) expect(list.word(id)).toBe(word);
          const seen: string[] = [];
          list.forEach((word, id) => {
            expect(id).toBe(seen.length);
            seen.push(word);
          });
          expect(seen).toEqual(words);
          expect(wordArray(list)).toEqual(words);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses lengths that do not add up to the text', () => {
    expect(() => new TextWords('abc', Uint16Array.of(1, 1))).toThrow(ModelFormatError);
    expect(() => new TextWords('ab', Uint16Array.of(1, 2))).toThrow(ModelFormatError);
    expect(() => new TextWords('', new Uint16Array(0))).not.toThrow();
  });

  it('keeps a real-sized vocabulary in a fraction of what its strings take', () => {
    const words = Array.from({ length: 50_000 }, (_, i) => `word${i.toString(36)}`);
    const asText = textWords(words);
    const asArray = new ArrayWords(words);
    // One text (one byte a character) and one start in 32, against a header and slot per string.
    expect(asText.retainedBytes).toBeLessThan(asArray.retainedBytes / 3);
    expect(asText.retainedBytes).toBeGreaterThan(words.join('').length);
    expect(textWords(['ñandú', 'año']).retainedBytes).toBeLessThan(textWords(['ñandú', 'año', '🙂']).retainedBytes);
  });
});

describe('a model image keeps its words once, as its UTF-8 section', () => {
  it('reads the trained model’s words, and makes the array of strings only when asked', () => {
    const lines = syntheticSentences(300, 200, 2).map((words) => words.join(' '));
    const trained = train(lines, { maxPatternLength: 3 });
    const loaded = decodeImage(encodeImage(trained, 'x'));
    expect(loaded.words).toBeInstanceOf(Utf8Words);
    for (let id = 0; id < trained.vocab.length; id++) expect(loaded.words.word(id)).toBe(trained.vocab[id]);
    const before = loaded.residentBytes();
    expect(loaded.vocab).toEqual(trained.vocab);
    // The strings, once made, are counted.
    expect(loaded.residentBytes()).toBeGreaterThan(before);
    expect(loaded.generate({ seed: 3, maxLength: 20 }).text).toBe(trained.generate({ seed: 3, maxLength: 20 }).text);
  });
});

const utf8Words = (words: readonly string[], wide = false) => {
  const lengths = words.map((word) => word.length);
  return new Utf8Words(
    new TextEncoder().encode(words.join('')),
    wide ? Uint32Array.from(lengths) : Uint16Array.from(lengths),
  );
};
/** Whether a word survives UTF-8 (no lone surrogate), as every word an image stores does. */
const wellFormed = (word: string) => new TextDecoder().decode(new TextEncoder().encode(word)) === word;

describe('Utf8Words', () => {
  it('reads every word as the array holds it, by id and in order, ASCII or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 9 }), fc.string({ unit: 'binary', maxLength: 9 })), {
          maxLength: 200,
        }),
        fc.boolean(),
        (drawn, wide) => {
          const words = drawn.filter(wellFormed);
          const list = utf8Words(words, wide);
          expect(list.length).toBe(words.length);
          for (const [id, word] of words.entries()) expect(list.word(id)).toBe(word);
          expect(wordArray(list)).toEqual(words);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps no copy of an ASCII text and less than the decoded text of any other', () => {
    const ascii = Array.from({ length: 1000 }, (_, i) => `word${i}`);
    expect(utf8Words(ascii).retainedBytes).toBe(4 * Math.ceil(1001 / 32));
    const spanish = Array.from({ length: 1000 }, (_, i) => `canción${i}`);
    const text = spanish.join('');
    expect(utf8Words(spanish).retainedBytes).toBeLessThan(text.length);
    expect(utf8Words(spanish).word(999)).toBe('canción999');
  });

  it('refuses bytes that are not UTF-8 and lengths that do not cut them into whole characters', () => {
    expect(() => new Utf8Words(Uint8Array.of(0x61, 0xff), Uint16Array.of(1, 1))).toThrow(ModelFormatError);
    const bytes = new TextEncoder().encode('ab');
    expect(() => new Utf8Words(bytes, Uint16Array.of(1, 2))).toThrow(ModelFormatError);
    expect(() => new Utf8Words(bytes, Uint16Array.of(1))).toThrow(ModelFormatError);
    const accented = new TextEncoder().encode('ñu');
    expect(() => new Utf8Words(accented, Uint16Array.of(1, 2))).toThrow(ModelFormatError);
    expect(() => new Utf8Words(accented, Uint16Array.of(1))).toThrow(ModelFormatError);
    // U+1F600 is two UTF-16 units: a word of one unit would end inside it.
    const emoji = new TextEncoder().encode('😀');
    expect(() => new Utf8Words(emoji, Uint16Array.of(1, 1))).toThrow(ModelFormatError);
    expect(new Utf8Words(emoji, Uint16Array.of(2)).word(0)).toBe('😀');
  });
});
