// What a model said lately, so its next text says something else. On a server's few kilobytes of
// text every call draws from the same few thousand word pairs, and independent calls meet again
// and again: 200 texts from 20 KB of chat could reach distinct-2 0.59 at most as independent draws
// of seen pairs, while the text holds enough pairs for 0.86 (bench:generation's "bigram supply").
// Members read the calls one after another, so "the same phrase again" is what they notice.
//
// The memory is the last CAPACITY word pairs of the texts the model gave (the prompt's last word
// and the first generated one included), kept as counts in a small hashed table: a pair seen
// lately has its weight multiplied by RECENT_WEIGHT in the next draws (natural sampling only).
// Two pairs that share a slot of the table are both taken as recent (a false positive of about
// CAPACITY / SLOTS: the draw then prefers another seen pair, which it would do for a recent one).
// The memory costs 24 KB, is created by the first generation of a model that asks for it and is
// never saved: a reload starts fresh.

/** Word pairs remembered: the last ~250 texts of ~16 tokens. */
const CAPACITY = 4096;
/** Slots of the count table (a power of two). */
const SLOTS = 1 << 14;

/** What a recently written pair's weight is multiplied by in a draw (bench:generation --recent). */
export const RECENT_WEIGHT = 0.3;

export class RecentPhrases {
  private readonly counts = new Uint8Array(SLOTS);
  private readonly ring = new Uint16Array(CAPACITY);
  private head = 0;
  private filled = 0;

  /** Whether the pair (a, b) of word ids was written lately. */
  has(a: number, b: number): boolean {
    return this.counts[slotOf(a, b)] > 0;
  }

  /** Remembers the pairs of `ids` (a text's tokens in order; the first pair starts at ids[0]). */
  record(ids: ArrayLike<number>): void {
    for (let i = 1; i < ids.length; i++) this.add(slotOf(ids[i - 1], ids[i]));
  }

  /** Pairs remembered (at most CAPACITY). */
  get size(): number {
    return this.filled;
  }

  /** Bytes this memory holds (what a cache counts). */
  static readonly BYTES = SLOTS + CAPACITY * 2 + 64;

  private add(slot: number): void {
    if (this.filled === CAPACITY) {
      // The oldest pair leaves. Counts saturate at 255; a slot that more pairs shared reads as
      // free a little early (a pair then counts as new again: a weaker rule, never a wrong text).
      const old = this.ring[this.head];
      if (this.counts[old] > 0) this.counts[old]--;
    } else {
      this.filled++;
    }
    this.ring[this.head] = slot;
    this.head = (this.head + 1) % CAPACITY;
    if (this.counts[slot] < 255) this.counts[slot]++;
  }
}

/** The table slot of a pair: a multiplicative hash of both ids. */
function slotOf(a: number, b: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  return (h ^ (h >>> 15)) & (SLOTS - 1);
}
