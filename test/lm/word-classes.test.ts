// The natural sampler's word classes as tests of a range of the vocabulary's text (no string made
// per word, words.ts forEachRange): the same answers as the patterns they stand for, on each word.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSentenceEndRange, isWordRange, joinsBeforeRange } from '../../src/lm/word-classes.js';

/** What the sampler tested each word with before (a regular expression on the word's string). */
const WORD = /[\p{L}\p{N}]/u;
const SENTENCE_END = /^[.!?…]+$/u;
const JOINS_BEFORE = /^[.,;:!?%‰]$/u;

const samples = [
  '',
  'a',
  'Z',
  '0',
  '9',
  '.',
  '...',
  '?!',
  '…',
  '.…!',
  '.a',
  'a.',
  ',',
  '``',
  "''",
  '(',
  '—',
  '“',
  ',',
  ';',
  ':',
  '%',
  '‰',
  '%%',
  ',.',
  '.\n',
  '¿',
  'ñandú',
  'é',
  '١٢٣',
  'Ⅻ',
  '½',
  '東京',
  '😀',
  '𝐀',
  'a😀',
  '😀.',
  '\u0301',
  '\ud800',
  '\udc00',
  '\udc00a',
  '@',
  '[',
  '`',
  '{',
];

describe('word classes by range', () => {
  it('answers as the patterns do on each word', () => {
    for (const word of samples) {
      expect([word, isWordRange(word, 0, word.length)]).toEqual([word, WORD.test(word)]);
      expect([word, isSentenceEndRange(word, 0, word.length)]).toEqual([word, SENTENCE_END.test(word)]);
      expect([word, joinsBeforeRange(word, 0, word.length)]).toEqual([word, JOINS_BEFORE.test(word)]);
    }
  });

  it('reads only its range of a longer text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 4 }), { maxLength: 30 }), (words) => {
        const text = words.join('');
        let start = 0;
        for (const word of words) {
          const end = start + word.length;
          expect(isWordRange(text, start, end)).toBe(WORD.test(word));
          expect(isSentenceEndRange(text, start, end)).toBe(SENTENCE_END.test(word));
          expect(joinsBeforeRange(text, start, end)).toBe(JOINS_BEFORE.test(word));
          start = end;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is ASCII-exact: letters and digits only', () => {
    for (let c = 0; c < 0x80; c++) {
      const word = String.fromCharCode(c);
      expect(isWordRange(word, 0, 1)).toBe(WORD.test(word));
    }
  });
});
