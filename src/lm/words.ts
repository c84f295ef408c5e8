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
