// Unsigned integers of a fixed width (1–32 bits) laid end to end in 32-bit words: how the model
// image stores its child starts and suffix links (ceil(log2) bits each instead of 32). Element i
// of width w starts at bit i·w; it is read with two shifts from one word, or from two when it
// straddles a word boundary. Blocks of 32 elements fill exactly w words, which keeps the word
// index an exact 32-bit computation for every index below 2^31.
//
// A reader never touches a word past the array: the second word is read only when the element's
// own bits reach into it, and `wordsFor` sizes the array to hold the last element's last bit.

/** Bits needed to store every integer in [0, max]. */
export function bitsFor(max: number): number {
  let bits = 1;
  while (bits < 32 && max >= 2 ** bits) bits++;
  return bits;
}

/** 32-bit words that hold `length` elements of `width` bits. */
export function wordsFor(length: number, width: number): number {
  return Math.ceil((length * width) / 32);
}

export class PackedInts {
  readonly data: Uint32Array;
  readonly width: number;
  readonly length: number;
  private readonly mask: number;

  /** A reader over `data`, which must hold exactly wordsFor(length, width) words. */
  constructor(data: Uint32Array, width: number, length: number) {
    if (!Number.isInteger(width) || width < 1 || width > 32) throw new RangeError(`bad packed width ${width}`);
    if (!Number.isInteger(length) || length < 0 || data.length !== wordsFor(length, width))
      throw new RangeError(`packed array of ${data.length} words cannot hold ${length} × ${width} bits`);
    this.data = data;
    this.width = width;
    this.length = length;
    this.mask = width === 32 ? 0xffffffff : 2 ** width - 1;
  }

  /** Packs `values` (integers in [0, 2^width)) at `width` bits each (default: the fewest that hold the largest). */
  static pack(values: ArrayLike<number>, width?: number): PackedInts {
    let max = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value >>> 0 !== value) throw new RangeError(`value ${value} is not a 32-bit unsigned integer`);
      if (value > max) max = value;
    }
    const w = width ?? bitsFor(max);
    if (max > 2 ** w - 1) throw new RangeError(`value ${max} does not fit in ${w} bits`);
    const data = new Uint32Array(wordsFor(values.length, w));
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const bit = (i & 31) * w;
      const word = (i >>> 5) * w + (bit >>> 5);
      const shift = bit & 31;
      data[word] |= value << shift;
      if (shift + w > 32) data[word + 1] |= value >>> (32 - shift);
    }
    return new PackedInts(data, w, values.length);
  }

  /** Element i (0 ≤ i < length; other indices are the caller's bug and read garbage or 0). */
  get(i: number): number {
    const w = this.width;
    const bit = (i & 31) * w;
    const word = (i >>> 5) * w + (bit >>> 5);
    const shift = bit & 31;
    const data = this.data;
    let value = data[word] >>> shift;
    if (shift + w > 32) value |= data[word + 1] << (32 - shift);
    return (value & this.mask) >>> 0;
  }

  get byteLength(): number {
    return this.data.byteLength;
  }
}
