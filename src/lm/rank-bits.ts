// A bit per element in 32-bit words, with the number of ones before every RANK_WORDS-th word, so
// that "how many ones before element i" (rank) is one stored count and at most RANK_WORDS
// popcounts: 1 + 32/(32·RANK_WORDS) bits per element. The model image marks with it the contexts
// whose run holds a single continuation (run-shares.ts stores no share for those).
//
// A reader never touches a word past the arrays: rank(i) reads words below ⌈i/32⌉ only, and the
// count of the group that holds i (or, for i = length, the one after the last word).

/** Words per stored count. */
export const RANK_WORDS = 4;

export function popcount32(value: number): number {
  let x = value - ((value >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Words of `length` bits, and counts of a sequence of that many words. */
export function rankWordsFor(length: number): number {
  return Math.ceil(length / 32);
}
export function rankCountsFor(length: number): number {
  return Math.floor(rankWordsFor(length) / RANK_WORDS) + 1;
}

export class RankBits {
  readonly bits: Uint32Array;
  /** Ones before word RANK_WORDS·g, for g = 0 … ⌊words / RANK_WORDS⌋. */
  readonly counts: Uint32Array;
  readonly length: number;

  constructor(bits: Uint32Array, counts: Uint32Array, length: number) {
    if (bits.length !== rankWordsFor(length) || counts.length !== rankCountsFor(length))
      throw new RangeError(`rank bits of ${bits.length} words and ${counts.length} counts cannot hold ${length}`);
    this.bits = bits;
    this.counts = counts;
    this.length = length;
  }

  /** The elements that are set (any truthy entry) as bits with their counts. */
  static of(set: ArrayLike<number>): RankBits {
    const bits = new Uint32Array(rankWordsFor(set.length));
    for (let i = 0; i < set.length; i++) if (set[i]) bits[i >>> 5] |= 1 << (i & 31);
    const counts = new Uint32Array(rankCountsFor(set.length));
    let ones = 0;
    for (let w = 0; w <= bits.length; w++) {
      if (w % RANK_WORDS === 0) counts[w / RANK_WORDS] = ones;
      if (w < bits.length) ones += popcount32(bits[w]);
    }
    return new RankBits(bits, counts, set.length);
  }

  /** Whether element i (0 ≤ i < length) is set. */
  has(i: number): boolean {
    return ((this.bits[i >>> 5] >>> (i & 31)) & 1) === 1;
  }

  /** Set elements before i (0 ≤ i ≤ length). */
  rank(i: number): number {
    const word = i >>> 5;
    const group = (word / RANK_WORDS) | 0;
    const bits = this.bits;
    let ones = this.counts[group];
    for (let w = group * RANK_WORDS; w < word; w++) ones += popcount32(bits[w]);
    const low = i & 31;
    if (low !== 0) ones += popcount32(bits[word] & ((1 << low) - 1));
    return ones;
  }

  /**
   * Whether the counts are those of the bits, no bit is set past the length, and (the loader's
   * check) there are `ones` set in all.
   */
  check(ones: number): boolean {
    const { bits, counts, length } = this;
    let seen = 0;
    for (let w = 0; w <= bits.length; w++) {
      if (w % RANK_WORDS === 0 && counts[w / RANK_WORDS] !== seen) return false;
      if (w < bits.length) seen += popcount32(bits[w]);
    }
    const tail = length & 31;
    if (tail !== 0 && bits[bits.length - 1] >>> tail !== 0) return false;
    return seen === ones;
  }

  get byteLength(): number {
    return this.bits.byteLength + this.counts.byteLength;
  }
}
