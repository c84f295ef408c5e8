// The vocabulary: word strings ↔ integer ids. Counting works on provisional ids (order of first
// appearance); once counts are known, ids are re-ranked by descending frequency so the most
// frequent words get the smallest ids (small varints in the file, embedding rows that cover the
// frequent words first).

import { fnv1a } from './random.js';
import type { WordList } from './words.js';
import { BOS, BOS_ID, EOS, EOS_ID, UNK, UNK_ID } from './types.js';

export class VocabularyBuilder {
  readonly words: string[] = [UNK, BOS, EOS];
  private readonly ids = new Map<string, number>([
    [UNK, UNK_ID],
    [BOS, BOS_ID],
    [EOS, EOS_ID],
  ]);

  /** Starts from an existing vocabulary so its ids stay the provisional ids (append-training). */
  static from(vocab: readonly string[]): VocabularyBuilder {
    const builder = new VocabularyBuilder();
    for (let id = 3; id < vocab.length; id++) builder.idOf(vocab[id]);
    return builder;
  }

  get size(): number {
    return this.words.length;
  }

  /** Id of a word, adding it when new. */
  idOf(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      this.ids.set(word, id);
    }
    return id;
  }
}

/**
 * Final ids ranked by descending raw count; ties broken by the word's code units so the ranking
 * depends only on the counts and the strings (not on the order text arrived in), which keeps
 * append-training identical to one-shot training. Reserved ids 0–2 keep their places.
 */
export function rankVocabulary(
  words: readonly string[],
  counts: Uint32Array,
): { vocab: string[]; finalId: Int32Array } {
  const order: number[] = [];
  for (let id = 3; id < words.length; id++) order.push(id);
  order.sort((x, y) => counts[y] - counts[x] || (words[x] < words[y] ? -1 : words[x] > words[y] ? 1 : 0));
  const finalId = new Int32Array(words.length);
  const vocab: string[] = [UNK, BOS, EOS];
  finalId[UNK_ID] = UNK_ID;
  finalId[BOS_ID] = BOS_ID;
  finalId[EOS_ID] = EOS_ID;
  for (let rank = 0; rank < order.length; rank++) {
    finalId[order[rank]] = rank + 3;
    vocab.push(words[order[rank]]);
  }
  return { vocab, finalId };
}

/** Word → id, what prompts and scoring look words up with. */
export interface WordLookup {
  get(word: string): number | undefined;
}

/**
 * Word → id over a vocabulary: an open-addressing table of ids (FNV-1a, linear probing, at most
 * half full), 4–8 bytes a word (16-bit ids below 65,535 words, else 8–16) where a Map costs ~40,
 * which on a small server's model was a quarter of what the cache counts. The words themselves stay in the vocabulary array.
 */
export class WordIndex implements WordLookup {
  /** Ids by hash slot: 16 bits each while every id and the empty mark fit, else 32. */
  private readonly slots: Uint16Array | Int32Array;
  private readonly empty: number;
  private readonly mask: number;

  constructor(private readonly vocab: WordList) {
    let size = 16;
    while (size < 2 * vocab.length) size *= 2;
    const narrow = vocab.length < 0xffff;
    this.empty = narrow ? 0xffff : -1;
    this.slots = (narrow ? new Uint16Array(size) : new Int32Array(size)).fill(this.empty);
    this.mask = size - 1;
    const { slots, empty, mask } = this;
    // By ranges of the vocabulary's text: no string is made per word (words.ts, forEachRange).
    vocab.forEachRange((text, start, end, id) => {
      let at = fnv1a(text, 0, start, end) & mask;
      while (slots[at] !== empty) {
        if (vocab.equals(slots[at], text, start, end)) return; // a repeated word keeps its first id
        at = (at + 1) & mask;
      }
      slots[at] = id;
    });
  }

  get(word: string): number | undefined {
    for (let at = fnv1a(word) & this.mask; ; at = (at + 1) & this.mask) {
      const id = this.slots[at];
      if (id === this.empty) return undefined;
      if (this.vocab.equals(id, word)) return id;
    }
  }

  get size(): number {
    return this.vocab.length;
  }

  *keys(): IterableIterator<string> {
    for (let id = 0; id < this.vocab.length; id++) yield this.vocab.word(id);
  }

  /** The table's bytes (what the index adds to the vocabulary). */
  get byteLength(): number {
    return this.slots.byteLength;
  }
}
