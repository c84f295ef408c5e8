// The vocabulary: word strings ↔ integer ids. Counting works on provisional ids (order of first
// appearance); once counts are known, ids are re-ranked by descending frequency so the most
// frequent words get the smallest ids (small varints in the file, embedding rows that cover the
// frequent words first).

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

/** Map from word to id for lookups at query time. */
export function vocabularyIndex(vocab: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let id = 0; id < vocab.length; id++) index.set(vocab[id], id);
  return index;
}
