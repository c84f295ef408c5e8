import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize, train } from '../../src/lm/index.js';
import { closeMarks, pairAdvance, pairAllows, pairTableOf } from '../../src/lm/pairs.js';
import { ArrayWords } from '../../src/lm/words.js';

const vocab = ['<unk>', '<s>', '</s>', 'he', 'said', '"', '(', ')', '``', "''", '“', '”', '.', 'go'];
const id = (token: string) => vocab.indexOf(token);
const table = pairTableOf(new ArrayWords(vocab));
const isWord = Uint8Array.from(vocab, (token, i) => (i > 2 && /[\p{L}\p{N}]/u.test(token) ? 1 : 0));

/** Marks open after `tokens`, and whether every token was allowed where it stood. */
function walk(tokens: string[]): { open: number[]; allowed: boolean[] } {
  const open: number[] = [];
  const allowed = tokens.map((token) => {
    const ok = pairAllows(table, open, id(token));
    pairAdvance(table, open, id(token));
    return ok;
  });
  return { open, allowed };
}

/**
 * Whether the quotes and brackets of `tokens` pair up: written apart from src/lm/pairs.ts, as a
 * reader checks a text (the straight quote alternates between opening and closing).
 */
function balanced(tokens: string[]): boolean {
  const closerOf: Record<string, string> = { '(': ')', '[': ']', '{': '}', '“': '”', '«': '»', '``': "''" };
  const closers = new Set(Object.values(closerOf));
  const stack: string[] = [];
  for (const token of tokens) {
    if (token === '"') {
      if (stack[stack.length - 1] === '"') stack.pop();
      else stack.push('"');
    } else if (token in closerOf) stack.push(closerOf[token]);
    else if (closers.has(token)) {
      if (stack.pop() !== token) return false;
    }
  }
  return stack.length === 0;
}

describe('quotes and brackets (pairs.ts)', () => {
  it('lets a closing mark come only when it closes the innermost open mark', () => {
    expect(walk([')']).allowed).toEqual([false]);
    expect(walk(["''"]).allowed).toEqual([false]);
    expect(walk(['(', 'go', ')']).allowed).toEqual([true, true, true]);
    expect(walk(['(', '“', ')']).allowed).toEqual([true, true, false]);
    expect(walk(['(', '“', '”', ')']).open).toEqual([]);
  });

  it('reads the straight quote as a closer when it is the innermost open mark and as an opener otherwise', () => {
    expect(walk(['"', 'go', '"']).open).toEqual([]);
    expect(walk(['"', '(', '"']).allowed).toEqual([true, true, false]);
    expect(walk(['go', '"']).open).toHaveLength(1);
  });

  it('does not open a mark inside one of its own kind', () => {
    expect(walk(['``', 'go', '``']).allowed).toEqual([true, true, false]);
    expect(walk(['(', '(']).allowed).toEqual([true, false]);
  });

  it('ends a text by closing what is open, innermost first, and drops marks opened by its last tokens', () => {
    const ids = ['he', 'said', '``', 'go', '(', '“', 'go', '.'].map(id);
    const { open } = walk(['he', 'said', '``', 'go', '(', '“', 'go', '.']);
    expect(closeMarks(table, open, ids, isWord)).toEqual(['”', ')', "''"]);

    const trailing = ['go', '.', '"'].map(id);
    const { open: openAfterQuote } = walk(['go', '.', '"']);
    expect(closeMarks(table, openAfterQuote, trailing, isWord)).toEqual([]);
    expect(trailing.map((x) => vocab[x])).toEqual(['go', '.']);

    // A quote with only punctuation after it: dropped, the punctuation kept ('go "."' → 'go.').
    const empty = ['he', 'said', 'go', '"', '.'].map(id);
    const { open: openEmpty } = walk(['he', 'said', 'go', '"', '.']);
    expect(closeMarks(table, openEmpty, empty, isWord)).toEqual([]);
    expect(empty.map((x) => vocab[x])).toEqual(['he', 'said', 'go', '.']);

    // A mark with a word inside is closed, and one outside it dropped if it holds no word.
    const nested = ['``', 'go', '(', '.'].map(id);
    const { open: openNested } = walk(['``', 'go', '(', '.']);
    expect(closeMarks(table, openNested, nested, isWord)).toEqual(["''"]);
    expect(nested.map((x) => vocab[x])).toEqual(['``', 'go', '.']);
  });

  it('keeps every ended text of a model trained on quotes that span lines balanced', () => {
    // Quotes and brackets opened on one line and closed on the next, as in chat logs and verse
    // translations: the walk meets closers without openers and openers without closers.
    const lines = [
      'He said: "go home now.',
      'Come back tomorrow." she said and left.',
      'The king (who was old said nothing.',
      'He slept all day) and the dog barked.',
      '``This is the end, he said.',
      "The end of the story.'' said the old man.",
      'She wrote “see you soon” on the door.',
      'They said that the dog was happy and the king was old.',
      'The old man said that the story was long.',
    ];
    const model = train(lines, { maxPatternLength: 4, embeddingDim: 0 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 8, max: 40 }), (seed, maxLength) => {
        const result = model.generate({ seed, maxLength });
        const tokens = tokenize(result.text);
        expect(result.tokens).toBeLessThanOrEqual(maxLength);
        // Closers that would pass maxLength are left out, so a text that reached it may stay open.
        if (result.stop === 'end' && result.tokens < maxLength) expect(balanced(tokens)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
