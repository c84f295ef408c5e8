import { describe, expect, it } from 'vitest';
import { discordMarkdownToPlain, displayWidth, padEnd, truncateToWidth, wrapText } from '../../src/console/text.js';

const plainOptions = { locale: 'en-US', nowMs: Date.UTC(2024, 0, 1, 12, 0, 0) };

describe('displayWidth', () => {
  it('counts accented letters once, wide letters and emoji twice, colours and combining marks not at all', () => {
    expect(displayWidth('canción')).toBe(7);
    expect(displayWidth('cancio\u0301n')).toBe(7);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('🎲')).toBe(2);
    expect(displayWidth('✅ active')).toBe(9);
    expect(displayWidth('\x1b[31mred\x1b[0m')).toBe(3);
  });
});

describe('wrapText', () => {
  it('breaks at spaces within the width and keeps newlines', () => {
    expect(wrapText('había una vez un gato\nfin', 10)).toEqual(['había una', 'vez un', 'gato', 'fin']);
  });

  it('cuts a word longer than the line into pieces', () => {
    expect(wrapText('abcdefghij xy', 4)).toEqual(['abcd', 'efgh', 'ij', 'xy']);
  });

  it('keeps the indentation of a line', () => {
    expect(wrapText('  uno dos', 20)).toEqual(['  uno dos']);
  });

  it('wraps a list written with middle dots between its items', () => {
    const parameters = 'min frequency 1 · max patterns no limit · validation 0';
    expect(wrapText(parameters, 42)).toEqual(['min frequency 1 · max patterns no limit ·', 'validation 0']);
    // An item wider than the line wraps at its own spaces; the next item may follow its last piece.
    expect(wrapText(parameters, 20)).toEqual(['min frequency 1 ·', 'max patterns no', 'limit · validation 0']);
    expect(wrapText(parameters, 60)).toEqual([parameters]);
    for (const width of [5, 12, 30]) {
      for (const line of wrapText(parameters, width)) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    }
  });
});

describe('truncateToWidth', () => {
  it('ends a cut line with an ellipsis within the width', () => {
    expect(truncateToWidth('abcdefgh', 5)).toBe('abcd…');
    expect(truncateToWidth('abc', 5)).toBe('abc');
  });
});

describe('discordMarkdownToPlain', () => {
  it('drops bold, code and strike markers and resolves escapes', () => {
    expect(discordMarkdownToPlain('**Saved** `demo` ~~old~~ \\*literal\\* mi\\_modelo', plainOptions)).toBe(
      'Saved demo old *literal* mi_modelo',
    );
  });

  it('leaves a lone underscore alone', () => {
    expect(discordMarkdownToPlain('max_length', plainOptions)).toBe('max_length');
  });

  it('drops code fences and heading markers, keeping their text', () => {
    expect(discordMarkdownToPlain('## Title\n```text\nline one\n```\n-# small print', plainOptions)).toBe(
      'Title\nline one\nsmall print',
    );
  });

  it('writes timestamps out and links as text with their address', () => {
    expect(discordMarkdownToPlain('<t:1704114000:R>', plainOptions)).toBe('in 1 hour');
    expect(discordMarkdownToPlain('<t:1704114000:D>', plainOptions)).toBe('January 1, 2024');
    expect(discordMarkdownToPlain('[docs](https://example.org/x)', plainOptions)).toBe('docs (https://example.org/x)');
  });
});

describe('emoji presentation (issue 19: rows holding ⚠️ were one column off)', () => {
  it('counts a symbol followed by VARIATION SELECTOR-16 as two columns, like the terminal draws it', () => {
    expect(displayWidth('⚠️')).toBe(2);
    expect(displayWidth('⚠')).toBe(1);
    expect(displayWidth('a — ⚠️ file unavailable')).toBe(displayWidth('a — ✅ file unavailable'));
    expect(displayWidth('✅\uFE0F')).toBe(2);
    expect(padEnd('⚠️ x', 6)).toBe('⚠️ x  ');
  });
});
