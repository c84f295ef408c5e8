// The natural sampler's word classes, per vocabulary id: a word (a letter or digit), a sentence's
// end, a mark that joins the word before it, and the ids its rules look at closely (reserved ids,
// quotes and brackets). Each is a test of a range of the vocabulary's text (words.ts forEachRange),
// so no string is made per word: made from strings, they left ~4 MB of garbage at a fresh model's
// first text (docs/model.md, "Memory"). The flags are built once per model and kept beside it.
import type { PairTable } from './pairs.js';
import { EOS_ID } from './types.js';
import type { WordList } from './words.js';

/** A letter or digit at lastIndex. */
const LETTER_OR_DIGIT_AT = /[\p{L}\p{N}]/uy;
/**
 * A word's test (a letter or digit, /[\p{L}\p{N}]/u) of `text.slice(start, end)`, making no string
 * (ASCII compared, the rest by LETTER_OR_DIGIT_AT).
 */
export function isWordRange(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      const lower = c | 0x20;
      if ((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x7a)) return true;
    } else if (c < 0xdc00 || c > 0xdfff) {
      // A code point's first unit (a trailing surrogate belongs to the one before).
      LETTER_OR_DIGIT_AT.lastIndex = i;
      if (LETTER_OR_DIGIT_AT.test(text)) return true;
    }
  }
  return false;
}
/** A sentence's end: . ! ? … and runs of them (the test of `text.slice(start, end)`). */
export function isSentenceEndRange(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x2e && c !== 0x21 && c !== 0x3f && c !== 0x2026) return false;
  }
  return true;
}

/**
 * Punctuation that joins the word before it, so a text never starts with it. Training text has
 * lines that start so (a sentence split after an abbreviation: ", Dick Stuart , Don Hoak" in
 * Brown, ". Epatha Merkerson brings…" in the chat text), and <s>'s continuations hold them: on
 * 200 KB of chat, 3.9 % of texts began ", Los Angeles…" or ". u wan come…". An ellipsis may
 * start a text ("... and then"); closing quotes and brackets are the pair rules' (pairs.ts).
 * The test of `text.slice(start, end)`: one of . , ; : ! ? % ‰ alone.
 */
export function joinsBeforeRange(text: string, start: number, end: number): boolean {
  if (end - start !== 1) return false;
  const c = text.charCodeAt(start);
  return c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f || c === 0x25 || c === 0x2030;
}

export type RangeTest = (text: string, start: number, end: number) => boolean;
/** Which vocabulary entries pass a test, per model and test: each id is tested once, by its range (no strings). */
const vocabularyFlags = new WeakMap<WordList, Map<RangeTest, Uint8Array>>();
export function wordFlagsOf(vocab: WordList, test: RangeTest): Uint8Array {
  let byTest = vocabularyFlags.get(vocab);
  if (byTest === undefined) {
    byTest = new Map();
    vocabularyFlags.set(vocab, byTest);
  }
  let flags = byTest.get(test);
  if (flags === undefined) {
    flags = new Uint8Array(vocab.length);
    const set = flags;
    vocab.forEachRange((text, start, end, id) => {
      if (id > EOS_ID && test(text, start, end)) set[id] = 1;
    });
    byTest.set(test, flags);
  }
  return flags;
}

/** Per vocabulary id, 1 when it is reserved (<unk>, <s>, </s>) or a quote or bracket (pairs.ts), per model. */
const unusualIds = new WeakMap<WordList, Uint8Array>();
export function unusualIdsOf(vocab: WordList, pairs: PairTable): Uint8Array {
  let flags = unusualIds.get(vocab);
  if (flags === undefined) {
    flags = new Uint8Array(vocab.length);
    for (let id = 0; id < vocab.length; id++)
      flags[id] = id <= EOS_ID || pairs.opens[id] !== 0 || pairs.closes[id] !== 0 ? 1 : 0;
    unusualIds.set(vocab, flags);
  }
  return flags;
}

/** Bytes of the word classes kept for a model (what Model.residentBytes counts for them). */
export function wordClassBytes(words: WordList): number {
  let bytes = unusualIds.get(words)?.byteLength ?? 0;
  for (const flags of vocabularyFlags.get(words)?.values() ?? []) bytes += flags.byteLength;
  return bytes;
}
