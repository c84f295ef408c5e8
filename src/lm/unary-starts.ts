// A non-decreasing sequence of unsigned integers s[0..n) (the query graph's child starts) as one
// bit vector: value i is the one at bit s[i] + i, so the zeros before it count s[i] and the zeros
// between two ones count a context's children (Elias-Fano with no low bits, as tongrams stores
// its pointers). n + s[n − 1] bits: for Brown's order 5, 2.2 M contexts over 3.13 M nodes, 5.3 M
// bits (~2.4 a context) where block-packed distances took ~7.6. The position of every 32nd one
// is kept, so a read starts there and passes at most 31 ones, a word or two of popcounts. A block
// of 32 values whose ones lie more than LONG_SPAN bits apart holds a frequent context's thousands
// of children between two ones; scanning those zeros made reads 4× slower, so such a block keeps
// its 32 values as they are (560 of Brown's 68,782 blocks, 72 KB) and a read there is one load.
//
// Reads never touch a word outside the arrays: `check` (which an image's loader runs before the
// first read) verifies that the vector holds exactly n ones, that every kept position is that of
// its one and that every kept block lies inside the kept values, so what a read looks for always
// lies inside; the read loop is bounded too.

const SAMPLE_SHIFT = 5;
const SAMPLE = 1 << SAMPLE_SHIFT;
/** Bits from a block's first one to its last beyond which the block keeps its values. */
const LONG_SPAN = 256;
/** A kept position with this bit set is instead the index of its block's values in `kept`. */
const KEPT = 0x80000000;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}

/** Bit position (0–31) of the `k`-th set bit of x, counting from 1 (x holds at least k). */
function selectInWord(x: number, k: number): number {
  while (--k > 0) x &= x - 1;
  return 31 - Math.clz32(x & -x);
}

export class UnaryStarts {
  /** One bit per value and per unit of the largest value. */
  readonly bits: Uint32Array;
  /** Per block b of 32 values: the bit position of value 32·b's one, or KEPT | where `kept` holds the block. */
  readonly samples: Uint32Array;
  /** The values of the blocks whose ones lie more than LONG_SPAN bits apart, block after block. */
  readonly kept: Uint32Array;
  readonly length: number;
  /** The last value read through the bits, and the position of its one (a read of the next one starts there). */
  private lastIndex = -2;
  private lastAt = 0;

  constructor(bits: Uint32Array, samples: Uint32Array, kept: Uint32Array, length: number) {
    this.bits = bits;
    this.samples = samples;
    this.kept = kept;
    this.length = length;
  }

  /** Blocks (kept positions) of a sequence of this length. */
  static samplesFor(length: number): number {
    return Math.ceil(length / SAMPLE);
  }

  /** 32-bit words of the bit vector of `length` values whose last is `last`. */
  static wordsFor(length: number, last: number): number {
    return length === 0 ? 0 : Math.ceil((length + last) / 32);
  }

  /** Packs a non-decreasing sequence of integers in [0, 2^31). */
  static pack(values: ArrayLike<number>): UnaryStarts {
    const n = values.length;
    for (let i = 0; i < n; i++) {
      const value = values[i];
      if (!Number.isInteger(value) || value < 0 || value >= 2 ** 31 || (i > 0 && value < values[i - 1]))
        throw new RangeError('unary starts must be non-decreasing integers in [0, 2^31)');
    }
    const bits = new Uint32Array(UnaryStarts.wordsFor(n, n === 0 ? 0 : values[n - 1]));
    const samples = new Uint32Array(UnaryStarts.samplesFor(n));
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = values[i] + i;
      bits[at >>> 5] |= 1 << (at & 31);
    }
    for (let b = 0; b < samples.length; b++) {
      const first = b << SAMPLE_SHIFT;
      const last = Math.min(n, first + SAMPLE) - 1;
      if (values[last] + last - (values[first] + first) > LONG_SPAN) {
        samples[b] = (KEPT | kept.length) >>> 0;
        for (let i = first; i <= last; i++) kept.push(values[i]);
      } else {
        samples[b] = values[first] + first;
      }
    }
    return new UnaryStarts(bits, samples, Uint32Array.from(kept), n);
  }

  /**
   * Whether a reader can trust the arrays: exactly `length` ones, each kept position that of the
   * one of its value, each kept block inside `kept` (in order, without gaps). One pass of
   * popcounts (~1 ms for Brown's order 5).
   */
  check(): boolean {
    const { bits, samples, kept, length } = this;
    if (samples.length !== UnaryStarts.samplesFor(length)) return false;
    let keptValues = 0;
    for (let b = 0; b < samples.length; b++) {
      if (samples[b] < KEPT) continue;
      const size = Math.min(SAMPLE, length - (b << SAMPLE_SHIFT));
      if ((samples[b] & ~KEPT) !== keptValues) return false;
      keptValues += size;
    }
    if (keptValues !== kept.length) return false;
    let ones = 0;
    let b = 0;
    const skipKept = () => {
      while (b < samples.length && samples[b] >= KEPT) b++;
    };
    skipKept();
    for (let w = 0; w < bits.length; w++) {
      const x = bits[w];
      // The kept positions in this word: the one of value b · 32 must be set and have b · 32 ones before it.
      while (b < samples.length && samples[b] >>> 5 === w) {
        const bit = samples[b] & 31;
        if (((x >>> bit) & 1) === 0) return false;
        const below = bit === 0 ? 0 : popcount(x & (0xffffffff >>> (32 - bit)));
        if (ones + below !== b * SAMPLE) return false;
        b++;
        skipKept();
      }
      if (b < samples.length && samples[b] >>> 5 < w) return false;
      ones += popcount(x);
    }
    return b === samples.length && ones === length;
  }

  /** Value i (0 ≤ i < length). */
  get(i: number): number {
    // A context's end right after its start (childFrom, then childTo): the next one after the last read's.
    // (Within a block: across blocks the gap may be a frequent context's thousands of zeros.)
    if (i === this.lastIndex + 1 && (i & (SAMPLE - 1)) !== 0) return this.nextAfter(this.lastAt, i);
    const at = this.samples[i >>> SAMPLE_SHIFT];
    let need = i & (SAMPLE - 1);
    if (at >= KEPT) {
      this.lastIndex = -2;
      return this.kept[(at & ~KEPT) + need];
    }
    if (need === 0) {
      this.lastIndex = i;
      this.lastAt = at;
      return at - i;
    }
    const bits = this.bits;
    let w = at >>> 5;
    const bit = at & 31;
    let x = bit === 31 ? 0 : bits[w] & (-1 << (bit + 1));
    for (let count = popcount(x); count < need; count = popcount(x)) {
      need -= count;
      if (++w >= bits.length) throw new RangeError('unary starts read past their bits');
      x = bits[w];
    }
    const one = (w << 5) + selectInWord(x, need);
    this.lastIndex = i;
    this.lastAt = one;
    return one - i;
  }

  /** Value i, whose one is the first after bit `after` (the one of value i − 1). */
  private nextAfter(after: number, i: number): number {
    const bits = this.bits;
    let w = after >>> 5;
    const bit = after & 31;
    let x = bit === 31 ? 0 : bits[w] & (-1 << (bit + 1));
    while (x === 0) {
      if (++w >= bits.length) throw new RangeError('unary starts read past their bits');
      x = bits[w];
    }
    const one = (w << 5) + 31 - Math.clz32(x & -x);
    this.lastIndex = i;
    this.lastAt = one;
    return one - i;
  }

  /** The last i whose value is ≤ `value` (the first value must be ≤ it). */
  lastAtMost(value: number): number {
    const { samples, bits, kept } = this;
    // The blocks by their first values, then the values after it, in order.
    let lo = 0;
    let hi = samples.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const at = samples[mid];
      const first = at >= KEPT ? kept[at & ~KEPT] : at - (mid << SAMPLE_SHIFT);
      if (first <= value) lo = mid;
      else hi = mid - 1;
    }
    let i = lo << SAMPLE_SHIFT;
    const last = Math.min(this.length - 1, i + SAMPLE - 1);
    const at = samples[lo];
    if (at >= KEPT) {
      const base = (at & ~KEPT) - i;
      while (i < last && kept[base + i + 1] <= value) i++;
      return i;
    }
    // Ones after value i's, while their values stay ≤ `value`: a one at bit p is value p − index.
    let w = at >>> 5;
    const bit = at & 31;
    let x = bit === 31 ? 0 : bits[w] & (-1 << (bit + 1));
    while (i < last) {
      while (x === 0) {
        if (++w >= bits.length) return i;
        x = bits[w];
      }
      const next = (w << 5) + 31 - Math.clz32(x & -x);
      if (next - (i + 1) > value) return i;
      i++;
      x &= x - 1;
    }
    return i;
  }

  get byteLength(): number {
    return this.bits.byteLength + this.samples.byteLength + this.kept.byteLength;
  }
}
