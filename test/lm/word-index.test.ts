import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WordIndex } from '../../src/lm/vocab.js';
import { ArrayWords, TextWords } from '../../src/lm/words.js';

/** The words as an array, and as a model image keeps them (one text and the lengths). */
const asArray = (words: string[]) => new ArrayWords(words);
const asText = (words: string[]) =>
  new TextWords(
    words.join(''),
    Uint32Array.from(words, (word) => word.length),
  );

describe('WordIndex (word → id)', () => {
  it('finds every word of the vocabulary at its id, and nothing else', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 300 }), fc.string(), (words, other) => {
        for (const index of [new WordIndex(asArray(words)), new WordIndex(asText(words))]) {
          for (const [id, word] of words.entries()) expect(index.get(word)).toBe(id);
          if (!words.includes(other)) expect(index.get(other)).toBeUndefined();
          expect(index.size).toBe(words.length);
          expect([...index.keys()]).toEqual(words);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('answers like a Map of the vocabulary on a real-sized one, in 4–8 bytes a word (16-bit ids)', () => {
    const words = Array.from({ length: 50_000 }, (_, i) => `w${i.toString(36)}`);
    const index = new WordIndex(asText(words));
    const map = new Map(words.map((word, id) => [word, id]));
    for (const probe of [...words.slice(0, 2000), 'missing', '', 'W0', 'w0 '])
      expect(index.get(probe)).toBe(map.get(probe));
    expect(index.byteLength).toBeLessThanOrEqual(8 * words.length);
    expect(index.byteLength).toBeGreaterThanOrEqual(4 * words.length);
  });

  it('takes 32-bit ids from 65,535 words on, and finds every word at its id, the last ones too', () => {
    for (const length of [65_534, 65_535, 70_000]) {
      const words = Array.from({ length }, (_, i) => `w${i.toString(36)}`);
      const index = new WordIndex(asArray(words));
      for (let id = 0; id < length; id += 97) expect(index.get(words[id])).toBe(id);
      for (let id = length - 3; id < length; id++) expect(index.get(words[id])).toBe(id);
      expect(index.get('missing')).toBeUndefined();
      const bytesPerSlot = length < 0xffff ? 2 : 4;
      expect(index.byteLength).toBeLessThanOrEqual(4 * bytesPerSlot * length);
      expect(index.byteLength).toBeGreaterThanOrEqual(2 * bytesPerSlot * length);
    }
  });

  it('keeps the first id of a word listed twice, as the first lookup would find it', () => {
    const index = new WordIndex(asArray(['a', 'b', 'a']));
    expect(index.get('a')).toBe(0);
    expect(index.get('b')).toBe(1);
  });
});
