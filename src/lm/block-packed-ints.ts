// A non-decreasing sequence of unsigned integers (the query graph's child starts) in blocks of 32:
// each block keeps its first value (32 bits) and the others' distances from it at the fewest bits
// that hold the block's largest (0 when the block is flat). A context of Brown's 4-grams has one
// or two children, so most blocks need 5–7 bits per value, against 22 for the whole sequence;
// a block holding a frequent word's run needs more, and only that block pays. 32 values of w bits
// fill exactly w words, so a block's words start at the sum of the widths before it, which is
// all the index stores besides the first values. (Elias-Fano, as tongrams does, would take ~3
// bits per value but needs a select structure on every read.)
//
// Reads never touch a word outside the arrays: a block's distances lie in words
// [wordStart[b], wordStart[b + 1]), and `check` verifies the index (as an image's loader does)
// before the first read.

import { bitsFor } from './packed-ints.js';

const BLOCK = 32;

export class BlockPackedInts {
  /** First value of each block. */
  readonly bases: Uint32Array;
  /** Per block + 1: the first word of its distances (widths are the differences). */
  readonly wordStart: Uint32Array;
  /** The distances, block after block. */
  readonly data: Uint32Array;
  readonly length: number;

  constructor(bases: Uint32Array, wordStart: Uint32Array, data: Uint32Array, length: number) {
    this.bases = bases;
    this.wordStart = wordStart;
    this.data = data;
    this.length = length;
  }

  /** Blocks of a sequence of this length. */
  static blocksFor(length: number): number {
    return Math.ceil(length / BLOCK);
  }

  /** Packs a non-decreasing sequence of integers in [0, 2^32). */
  static pack(values: ArrayLike<number>): BlockPackedInts {
    const blocks = BlockPackedInts.blocksFor(values.length);
    const bases = new Uint32Array(blocks);
    const wordStart = new Uint32Array(blocks + 1);
    for (let b = 0; b < blocks; b++) {
      const first = b * BLOCK;
      const last = Math.min(values.length, first + BLOCK) - 1;
      const base = values[first];
      if (base >>> 0 !== base) throw new RangeError(`value ${base} is not a 32-bit unsigned integer`);
      for (let i = first + 1; i <= last; i++)
        if (!(values[i] >= values[i - 1]) || values[i] >>> 0 !== values[i])
          throw new RangeError('block-packed values must be non-decreasing 32-bit unsigned integers');
      bases[b] = base;
      const spread = values[last] - base;
      wordStart[b + 1] = wordStart[b] + (spread === 0 ? 0 : bitsFor(spread));
    }
    const data = new Uint32Array(wordStart[blocks]);
    for (let b = 0; b < blocks; b++) {
      const w = wordStart[b + 1] - wordStart[b];
      if (w === 0) continue;
      const first = b * BLOCK;
      for (let j = 1; j < BLOCK && first + j < values.length; j++) {
        const delta = values[first + j] - bases[b];
        const bit = j * w;
        const word = wordStart[b] + (bit >>> 5);
        const shift = bit & 31;
        data[word] |= delta << shift;
        if (shift + w > 32) data[word + 1] |= delta >>> (32 - shift);
      }
    }
    return new BlockPackedInts(bases, wordStart, data, values.length);
  }

  /**
   * Whether the index is one a reader can trust: one base per block, word starts from 0, each
   * width at most 32, ending at the data's length. (The values themselves are the CRC's business.)
   */
  check(): boolean {
    const blocks = BlockPackedInts.blocksFor(this.length);
    const { bases, wordStart, data } = this;
    if (bases.length !== blocks || wordStart.length !== blocks + 1 || wordStart[0] !== 0) return false;
    for (let b = 0; b < blocks; b++) {
      const w = wordStart[b + 1] - wordStart[b];
      if (w < 0 || w > 32) return false;
    }
    return wordStart[blocks] === data.length;
  }

  /** Element i (0 ≤ i < length). */
  get(i: number): number {
    const b = i >>> 5;
    const start = this.wordStart[b];
    const w = this.wordStart[b + 1] - start;
    if (w === 0) return this.bases[b];
    const bit = (i & 31) * w;
    const word = start + (bit >>> 5);
    const shift = bit & 31;
    const data = this.data;
    let delta = data[word] >>> shift;
    if (shift + w > 32) delta |= data[word + 1] << (32 - shift);
    if (w < 32) delta &= (1 << w) - 1;
    return this.bases[b] + (delta >>> 0);
  }

  get byteLength(): number {
    return this.bases.byteLength + this.wordStart.byteLength + this.data.byteLength;
  }
}
