// words.ts: a vocabulary read by id from one text and its word lengths (a model image's), against
// the array of strings it stands for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage, train } from '../../src/lm/index.js';
import { ModelFormatError } from '../../src/lm/types.js';
import { ArrayWords, TextWords, wordArray } from '../../src/lm/words.js';
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

  it('gives every word as a range of a text and compares a range with a word, as the array does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 9 }), { maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 4 }),
        (words, other) => {
          for (const list of [textWords(words), new ArrayWords(words)]) {
            const seen: string[] = [];
            list.forEachRange((text, start, end, id) => {
              expect(id).toBe(seen.length);
              seen.push(text.slice(start, end));
            });
            expect(seen).toEqual(words);
            for (const [id, word] of words.entries()) {
              expect(list.equals(id, word)).toBe(true);
              expect(list.equals(id, `<${word}>`, 1, word.length + 1)).toBe(true);
              expect(list.equals(id, other)).toBe(word === other);
            }
          }
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

describe('a model image keeps its words as one text', () => {
  it('reads the trained model’s words, and makes the array of strings only when asked', () => {
    const lines = syntheticSentences(300, 200, 2).map((words) => words.join(' '));
    const trained = train(lines, { maxPatternLength: 3 });
    const loaded = decodeImage(encodeImage(trained, 'x'));
    expect(loaded.words).toBeInstanceOf(TextWords);
    for (let id = 0; id < trained.vocab.length; id++) expect(loaded.words.word(id)).toBe(trained.vocab[id]);
    const before = loaded.residentBytes();
    expect(loaded.vocab).toEqual(trained.vocab);
    // The strings, once made, are counted.
    expect(loaded.residentBytes()).toBeGreaterThan(before);
    expect(loaded.generate({ seed: 3, maxLength: 20 }).text).toBe(trained.generate({ seed: 3, maxLength: 20 }).text);
  });
});
