// A model's vocabulary as generation, prompts and lookups read it: words by id. A trained or
// decoded model holds its words as an array of strings; a model image keeps them as one string of
// their text and their lengths (the image's own section), so that a word becomes a JavaScript
// string of its own only when it is read. Brown's 52,256 words cost ~2.3 MB of V8 heap as an array
// (~45 bytes a word) and ~0.4 MB as one text (one byte a character below U+0100, two beyond),
// which is what a loaded model's memory was short of (docs/model.md, "Memory"). An image's words
// are not even decoded into that text: they are sliced from its UTF-8 bytes (Utf8Words), so the
// vocabulary is held once, in the image.

import { isAscii, isUtf8 } from 'node:buffer';
import { ModelFormatError } from './types.js';

/** Words by id. */
export interface WordList {
  readonly length: number;
  /** The word with this id (0 ≤ id < length). */
  word(id: number): string;
  /** Calls `visit` with every word and its id, in id order (faster than `word` id by id). */
  forEach(visit: (word: string, id: number) => void): void;
  /** Bytes it keeps on the JavaScript heap and in arrays of its own (an estimate, for the cache). */
  readonly retainedBytes: number;
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/** Heap bytes of one string: a header, and one byte a character (two beyond Latin-1). */
function stringBytes(text: string): number {
  return 16 + (BEYOND_LATIN1.test(text) ? 2 : 1) * text.length;
}

/** An array of strings as a WordList (a trained or decoded model's vocabulary). */
export class ArrayWords implements WordList {
  private retained: number | null = null;

  constructor(readonly array: readonly string[]) {}

  get length(): number {
    return this.array.length;
  }

  word(id: number): string {
    return this.array[id];
  }

  forEach(visit: (word: string, id: number) => void): void {
    this.array.forEach(visit);
  }

  /** Per string its header, its slot in the array and its characters. */
  get retainedBytes(): number {
    if (this.retained === null) {
      let bytes = 0;
      for (const word of this.array) bytes += 8 + stringBytes(word);
      this.retained = bytes;
    }
    return this.retained;
  }
}

/** Every CHECKPOINT-th word's start is kept; a word's start is that plus the lengths before it. */
const CHECKPOINT_SHIFT = 5;
const CHECKPOINT = 1 << CHECKPOINT_SHIFT;

/**
 * Words sliced from one text by their lengths (in UTF-16 code units, as `string.length`): the text
 * is one string, the lengths are the caller's array (an image's section view, not copied), and one
 * start in 32 is kept, so a read sums at most 31 lengths.
 */
export class TextWords implements WordList {
  private readonly starts: Uint32Array;
  readonly retainedBytes: number;

  /** Throws ModelFormatError when the lengths do not add up to the text. */
  constructor(
    private readonly text: string,
    private readonly lengths: Uint16Array | Uint32Array,
  ) {
    this.starts = new Uint32Array((lengths.length >>> CHECKPOINT_SHIFT) + 1);
    let at = 0;
    for (let id = 0; id < lengths.length; id++) {
      if ((id & (CHECKPOINT - 1)) === 0) this.starts[id >>> CHECKPOINT_SHIFT] = at;
      at += lengths[id];
    }
    if (at < text.length) throw new ModelFormatError('corrupt', 'vocabulary text is longer than its word lengths');
    if (at > text.length) throw new ModelFormatError('corrupt', 'vocabulary text is shorter than its word lengths');
    this.retainedBytes = stringBytes(text) + this.starts.byteLength;
  }

  get length(): number {
    return this.lengths.length;
  }

  word(id: number): string {
    let at = this.starts[id >>> CHECKPOINT_SHIFT];
    for (let before = id & ~(CHECKPOINT - 1); before < id; before++) at += this.lengths[before];
    return this.text.slice(at, at + this.lengths[id]);
  }

  forEach(visit: (word: string, id: number) => void): void {
    const { text, lengths } = this;
    for (let id = 0, at = 0; id < lengths.length; id++) {
      const end = at + lengths[id];
      visit(text.slice(at, end), id);
      at = end;
    }
  }
}

/**
 * Words read from their UTF-8 bytes (a model image's `vocabText` section, not copied) and their lengths in UTF-16
 * code units (its `vocabLengths`). One byte start in 32 is kept; a vocabulary of ASCII reads its byte lengths from
 * the lengths themselves, any other keeps one more 16-bit (or 32-bit) byte length per word, which is still less than
 * the decoded text (one or two bytes a character). A word becomes a string only when it is read.
 */
export class Utf8Words implements WordList {
  private readonly bytes: Buffer;
  private readonly byteLengths: Uint16Array | Uint32Array;
  private readonly starts: Uint32Array;
  readonly retainedBytes: number;

  /** Throws ModelFormatError when the bytes are not UTF-8 or the lengths do not cut them into whole characters. */
  constructor(bytes: Uint8Array, lengths: Uint16Array | Uint32Array) {
    if (!isUtf8(bytes)) throw new ModelFormatError('corrupt', 'image vocabulary is not UTF-8');
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.starts = new Uint32Array((lengths.length >>> CHECKPOINT_SHIFT) + 1);
    this.byteLengths = isAscii(bytes) ? lengths : utf8Lengths(bytes, lengths);
    let at = 0;
    for (let id = 0; id < lengths.length; id++) {
      if ((id & (CHECKPOINT - 1)) === 0) this.starts[id >>> CHECKPOINT_SHIFT] = at;
      at += this.byteLengths[id];
    }
    if (at !== bytes.length) throw new ModelFormatError('corrupt', 'vocabulary text does not match its word lengths');
    this.retainedBytes = this.starts.byteLength + (this.byteLengths === lengths ? 0 : this.byteLengths.byteLength);
  }

  get length(): number {
    return this.byteLengths.length;
  }

  word(id: number): string {
    let at = this.starts[id >>> CHECKPOINT_SHIFT];
    for (let before = id & ~(CHECKPOINT - 1); before < id; before++) at += this.byteLengths[before];
    return this.bytes.toString('utf8', at, at + this.byteLengths[id]);
  }

  forEach(visit: (word: string, id: number) => void): void {
    const { bytes, byteLengths } = this;
    for (let id = 0, at = 0; id < byteLengths.length; id++) {
      const end = at + byteLengths[id];
      visit(bytes.toString('utf8', at, end), id);
      at = end;
    }
  }
}

/**
 * Each word's length in bytes, from its length in UTF-16 code units, over valid UTF-8: a lead byte below 0x80 is one
 * byte and one unit, below 0xE0 two bytes, below 0xF0 three, else four bytes and two units (a surrogate pair).
 * Throws when a word would end inside a character or the lengths run past the bytes.
 */
function utf8Lengths(bytes: Uint8Array, lengths: Uint16Array | Uint32Array): Uint16Array | Uint32Array {
  const out = new Uint32Array(lengths.length);
  let at = 0;
  let longest = 0;
  for (let id = 0; id < lengths.length; id++) {
    const start = at;
    let units = lengths[id];
    while (units > 0) {
      if (at >= bytes.length) throw new ModelFormatError('corrupt', 'vocabulary text is shorter than its word lengths');
      const lead = bytes[at];
      const width = lead < 0xf0 ? 1 : 2;
      if (width > units) throw new ModelFormatError('corrupt', 'a vocabulary word ends inside a character');
      at += lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      units -= width;
    }
    out[id] = at - start;
    longest = Math.max(longest, at - start);
  }
  return longest <= 0xffff ? Uint16Array.from(out) : out;
}

/** Whether `words` is a WordList rather than an array of strings. */
export function isWordList(words: WordList | readonly string[]): words is WordList {
  return !Array.isArray(words);
}

/** Every word of a list, in id order, as an array (for what needs the strings at once). */
export function wordArray(words: WordList): string[] {
  if (words instanceof ArrayWords) return words.array as string[];
  const array = new Array<string>(words.length);
  words.forEach((word, id) => {
    array[id] = word;
  });
  return array;
}
