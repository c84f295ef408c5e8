// A model's vocabulary as generation, prompts and lookups read it: words by id. A trained or
// decoded model holds its words as an array of strings; a model image keeps them as one string of
// their text and their lengths (the image's own section), so that a word becomes a JavaScript
// string of its own only when it is read. Brown's 52,256 words cost ~2.3 MB of V8 heap as an array
// (~45 bytes a word) and ~0.4 MB as one text (one byte a character below U+0100, two beyond),
// which is what a loaded model's memory was short of (docs/model.md, "Memory").

import { ModelFormatError } from './types.js';

/** Words by id. */
export interface WordList {
  readonly length: number;
  /** The word with this id (0 ≤ id < length). */
  word(id: number): string;
  /** Calls `visit` with every word and its id, in id order (faster than `word` id by id). */
  forEach(visit: (word: string, id: number) => void): void;
  /**
   * Calls `visit` with every word as a range of a text (the word is `text.slice(start, end)`) and its id, in id
   * order, making no string: what a table over the whole vocabulary is built from (forEach would leave one string
   * of garbage a word, ~1.3 MB for Brown's 52,256, which a fresh process pays in young-generation pages).
   */
  forEachRange(visit: (text: string, start: number, end: number, id: number) => void): void;
  /** Whether the word with this id is `text.slice(start, end)` (making no string). */
  equals(id: number, text: string, start?: number, end?: number): boolean;
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

  forEachRange(visit: (text: string, start: number, end: number, id: number) => void): void {
    const { array } = this;
    for (let id = 0; id < array.length; id++) visit(array[id], 0, array[id].length, id);
  }

  equals(id: number, text: string, start = 0, end = text.length): boolean {
    const word = this.array[id];
    return word.length === end - start && text.startsWith(word, start);
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
    const at = this.startOf(id);
    return this.text.slice(at, at + this.lengths[id]);
  }

  private startOf(id: number): number {
    let at = this.starts[id >>> CHECKPOINT_SHIFT];
    for (let before = id & ~(CHECKPOINT - 1); before < id; before++) at += this.lengths[before];
    return at;
  }

  forEach(visit: (word: string, id: number) => void): void {
    const { text, lengths } = this;
    for (let id = 0, at = 0; id < lengths.length; id++) {
      const end = at + lengths[id];
      visit(text.slice(at, end), id);
      at = end;
    }
  }

  forEachRange(visit: (text: string, start: number, end: number, id: number) => void): void {
    const { text, lengths } = this;
    for (let id = 0, at = 0; id < lengths.length; id++) {
      const end = at + lengths[id];
      visit(text, at, end, id);
      at = end;
    }
  }

  equals(id: number, text: string, start = 0, end = text.length): boolean {
    const length = this.lengths[id];
    if (length !== end - start) return false;
    const own = this.text;
    const at = this.startOf(id);
    for (let i = 0; i < length; i++) if (own.charCodeAt(at + i) !== text.charCodeAt(start + i)) return false;
    return true;
  }
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
