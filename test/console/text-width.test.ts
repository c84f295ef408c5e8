import { describe, expect, it } from 'vitest';
import { displayWidth, padEnd, truncateToWidth, wrapText } from '../../src/console/text.js';

describe('displayWidth on CJK, emoji and combining marks', () => {
  it('counts East Asian wide and fullwidth letters as two columns, halfwidth katakana as one', () => {
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(displayWidth('ｱｲｳ')).toBe(3);
  });

  it('counts an emoji sequence as the one two-column picture a terminal draws', () => {
    expect(displayWidth('👍🏽')).toBe(2); // skin tone modifier
    expect(displayWidth('👨‍👩‍👧')).toBe(2); // zero-width joiner family
    expect(displayWidth('🧑‍💻')).toBe(2);
    expect(displayWidth('🇪🇸')).toBe(2); // regional indicator flag
    expect(displayWidth('1️⃣')).toBe(2); // keycap
  });

  it('gives combining marks no column of their own', () => {
    expect(displayWidth('cancio\u0301n')).toBe(7);
    expect(displayWidth('ก่')).toBe(1); // Thai consonant + tone mark
    expect(displayWidth('अनुच्छेद')).toBe(4); // Devanagari vowel signs and virama
  });

  it('ignores colours and terminal hyperlinks', () => {
    expect(displayWidth('\x1b[1;32mok\x1b[0m')).toBe(2);
    expect(displayWidth('\x1b]8;;https://example.com\x07link\x1b]8;;\x07')).toBe(4);
  });

  it('pads a row holding an emoji sequence to the same width as a plain one', () => {
    expect(displayWidth(padEnd('👨‍👩‍👧 familia', 14))).toBe(14);
    expect(padEnd('👨‍👩‍👧 familia', 14)).toBe('👨‍👩‍👧 familia    ');
  });
});

describe('cutting text never splits a character', () => {
  it('truncates before an emoji sequence rather than inside it', () => {
    expect(truncateToWidth('ab👨‍👩‍👧cd', 4)).toBe('ab…');
    expect(truncateToWidth('ab👨‍👩‍👧cd', 5)).toBe('ab👨‍👩‍👧…');
  });

  it('keeps a letter with its combining accent when it truncates', () => {
    expect(truncateToWidth('cancio\u0301n feliz', 7)).toBe('cancio\u0301…');
  });

  it('cuts a word wider than the line between whole characters', () => {
    const lines = wrapText('👍🏽👍🏽👍🏽👍🏽👍🏽', 4);
    expect(lines).toEqual(['👍🏽👍🏽', '👍🏽👍🏽', '👍🏽']);
    expect(wrapText('日本語日本語', 5)).toEqual(['日本', '語日', '本語']);
    for (const line of wrapText('e\u0301e\u0301e\u0301e\u0301', 3)) expect(line.startsWith('\u0301')).toBe(false);
  });
});
