// What a model said lately, so its next text says something else. On a server's few kilobytes of
// text every call draws from the same few thousand word pairs, and independent calls meet again
// and again: 200 texts from 20 KB of chat could reach distinct-2 0.59 at most as independent draws
// of seen pairs, while the text holds enough pairs for 0.86 (bench:generation's "bigram supply").
// Members read the calls one after another, so "the same phrase again" is what they notice.
//
// The memory is the last CAPACITY word pairs of the texts the model gave (the prompt's last word
// and the first generated one included), kept as counts in small hashed tables, with how often
// each word started a pair. A pair written lately is a *repeat* unless the model would write it
// that often anyway: when its first word came `n` times lately and the pair has probability p
// after it, n·p expected copies of at least EXPECTED_REPEATS make it ordinary ("of the", ", and"
// on a large text). Without that exception a large model's every text held a few "repeats", and
// the walks ranked for them grew short and slow (Brown order 5: 16.1 → 10.9 tokens, p50 0.2 → 0.9
// ms; with it 14.4 tokens, 0.6 ms). At 4 the 20 KB texts lose what the memory is for (distinct-2
// 0.72–0.75 instead of 0.76–0.77).
// Two pairs that share a slot of the table are both taken as written lately (a false positive of
// about CAPACITY / PAIR_SLOTS: the draw then prefers another seen pair, which it would do anyway).
// The memory costs ~40 KB, is created by the first generation of a model that asks for it and is
// never saved: a reload starts fresh.

/** Word pairs remembered: the last ~250 texts of ~16 tokens. */
const CAPACITY = 4096;
/** Slots of the pair count table (a power of two). */
const PAIR_SLOTS = 1 << 14;
/** Slots of the first-word count table (a power of two). */
const WORD_SLOTS = 1 << 12;

/** What a repeated pair's weight is multiplied by in a draw (bench:generation). */
export const RECENT_WEIGHT = 0.3;
/** Expected copies (n·p) from which a pair written lately is ordinary, not a repeat. */
const EXPECTED_REPEATS = 8;

export class RecentPhrases {
  private readonly pairs = new Uint8Array(PAIR_SLOTS);
  private readonly firsts = new Uint16Array(WORD_SLOTS);
  private readonly ringPairs = new Uint16Array(CAPACITY);
  private readonly ringFirsts = new Uint16Array(CAPACITY);
  private head = 0;
  private filled = 0;

  /** Bytes this memory holds (what a cache counts). */
  static readonly BYTES = PAIR_SLOTS + WORD_SLOTS * 2 + CAPACITY * 4 + 64;

  /** Whether the pair (a, b) of word ids was written lately (its first word included). */
  has(a: number, b: number): boolean {
    return this.pairs[pairSlot(a, b)] > 0;
  }

  /**
   * Whether writing b after a now repeats the model's recent texts: the pair was written lately,
   * and fewer than EXPECTED_REPEATS copies of it would be expected from how often a was (p: the
   * model's probability of b at that point).
   */
  repeats(a: number, b: number, p: number): boolean {
    return this.pairs[pairSlot(a, b)] > 0 && this.firsts[wordSlot(a)] * p < EXPECTED_REPEATS;
  }

  /** Remembers the pairs of `ids` (a text's tokens in order; the first pair starts at ids[0]). */
  record(ids: ArrayLike<number>): void {
    for (let i = 1; i < ids.length; i++) this.add(pairSlot(ids[i - 1], ids[i]), wordSlot(ids[i - 1]));
  }

  /** Pairs remembered (at most CAPACITY). */
  get size(): number {
    return this.filled;
  }

  private add(pair: number, first: number): void {
    if (this.filled === CAPACITY) {
      // The oldest pair leaves. Pair counts saturate at 255; a slot that more pairs shared reads
      // as free a little early (a pair then counts as new again: a weaker rule, never a wrong text).
      const oldPair = this.ringPairs[this.head];
      if (this.pairs[oldPair] > 0) this.pairs[oldPair]--;
      this.firsts[this.ringFirsts[this.head]]--;
    } else {
      this.filled++;
    }
    this.ringPairs[this.head] = pair;
    this.ringFirsts[this.head] = first;
    this.head = (this.head + 1) % CAPACITY;
    if (this.pairs[pair] < 255) this.pairs[pair]++;
    this.firsts[first]++;
  }
}

/** The table slot of a pair: a multiplicative hash of both ids. */
function pairSlot(a: number, b: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  return (h ^ (h >>> 15)) & (PAIR_SLOTS - 1);
}

/** The table slot of a pair's first word. */
function wordSlot(a: number): number {
  const h = Math.imul(a, 0x9e3779b1);
  return (h ^ (h >>> 16)) & (WORD_SLOTS - 1);
}
