// Where a loaded model's large arrays live. Decoding a model file writes ~32 bytes per n-gram of
// new arrays, and on the machines this product runs on, faulting in new memory costs more than the
// load's own work (docs/model.md, "Load: where the time goes"). So a load lays its per-n-gram
// arrays out in one buffer, its arena, which the caller may take from the arenas of models it has
// dropped: memory this process already holds is written at memory speed. A model's arena is one
// ArrayBuffer that can be transferred between threads and handed back for reuse as a whole.

export interface ArrayAllocator {
  int32(length: number): Int32Array;
  uint32(length: number): Uint32Array;
  float64(length: number): Float64Array;
}

/** Plain allocation: a new, zeroed array each time. */
export const heapArrays: ArrayAllocator = {
  int32: (length) => new Int32Array(length),
  uint32: (length) => new Uint32Array(length),
  float64: (length) => new Float64Array(length),
};

/**
 * Bytes of the arena of a model whose levels start at `offsets` (offsets[order] = all n-grams):
 * per n-gram its word, count, suffix link, adjusted count (later its cumulative share) and
 * probability; per context its child start (plus one) and backoff weight.
 */
export function arenaBytes(offsets: ArrayLike<number>): number {
  const order = offsets.length - 1;
  const nodes = offsets[order];
  const contexts = offsets[order - 1];
  return 4 * (4 * nodes) + 4 * (contexts + 1) + 8 * nodes + 8 * contexts;
}

/**
 * A spare buffer is reused for an arena of `bytes` when it is at least that large and at most
 * twice that: the model then holds (and the cache counts) the whole buffer.
 */
const MAX_SLACK = 2;

/**
 * Carves zeroed arrays out of one buffer: a spare one that fits best (taken out of `spare`), else a
 * new one of exactly `bytes`. Arrays of 8-byte elements are carved from the front and those of
 * 4-byte elements from the back, so every array is aligned without padding and the buffer holds
 * exactly the bytes of its arrays (a loaded model's memoryBytes is the trained model's). A request
 * that does not fit (a layout other than arenaBytes describes) falls back to plain allocation, so
 * an arena is never wrong, only less useful.
 */
export class ArrayArena implements ArrayAllocator {
  readonly buffer: ArrayBuffer;
  /** True when the buffer was a spare (its old contents are cleared as arrays are carved). */
  readonly recycled: boolean;
  private front = 0;
  private back: number;

  constructor(bytes: number, spare: ArrayBuffer[] = []) {
    let best = -1;
    for (let i = 0; i < spare.length; i++) {
      const size = spare[i].byteLength;
      if (size >= bytes && size <= MAX_SLACK * Math.max(bytes, 1) && (best < 0 || size < spare[best].byteLength)) best = i;
    }
    this.recycled = best >= 0;
    this.buffer = best >= 0 ? spare.splice(best, 1)[0] : new ArrayBuffer(bytes);
    this.back = this.buffer.byteLength - (this.buffer.byteLength % 4);
  }

  int32(length: number): Int32Array {
    return this.carve(length, 4, Int32Array);
  }

  uint32(length: number): Uint32Array {
    return this.carve(length, 4, Uint32Array);
  }

  float64(length: number): Float64Array {
    return this.carve(length, 8, Float64Array);
  }

  private carve<T extends Int32Array | Uint32Array | Float64Array>(
    length: number,
    bytesPer: number,
    make: { new (length: number): T; new (buffer: ArrayBuffer, byteOffset: number, length: number): T },
  ): T {
    const bytes = length * bytesPer;
    if (this.front + bytes > this.back) return new make(length);
    let array: T;
    if (bytesPer === 8) {
      array = new make(this.buffer, this.front, length);
      this.front += bytes;
    } else {
      this.back -= bytes;
      array = new make(this.buffer, this.back, length);
    }
    if (this.recycled) array.fill(0);
    return array;
  }
}
