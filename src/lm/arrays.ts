// Where a loaded model's large arrays come from. Decoding a model file writes ~32 bytes per n-gram
// of new arrays, and on the machines this product runs on, faulting in new memory costs more than
// the load's own work (docs/model.md, "Load: where the time goes"). So a load can take the buffers
// of models its caller has dropped (Model.arrayBuffers): memory this process already holds is
// written at memory speed. Each array keeps a buffer of its own, as plain allocation would give
// it: the allocator can still recycle freed arrays by itself (glibc serves blocks of up to 32 MB
// from memory freed earlier), which one large buffer for all of them would defeat.

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
 * A spare buffer serves an array of `bytes` when it is at least that large and at most twice that:
 * the model then holds (and the cache counts) the whole buffer.
 */
const MAX_SLACK = 2;

/**
 * Allocates each array in the spare buffer that fits it best (taken out of `spare`, cleared), or
 * plainly when none fits.
 */
export class SpareArrays implements ArrayAllocator {
  constructor(private readonly spare: ArrayBuffer[]) {}

  int32(length: number): Int32Array {
    return this.take(length, 4, Int32Array);
  }

  uint32(length: number): Uint32Array {
    return this.take(length, 4, Uint32Array);
  }

  float64(length: number): Float64Array {
    return this.take(length, 8, Float64Array);
  }

  private take<T extends Int32Array | Uint32Array | Float64Array>(
    length: number,
    bytesPer: number,
    make: { new (length: number): T; new (buffer: ArrayBuffer, byteOffset: number, length: number): T },
  ): T {
    const bytes = length * bytesPer;
    const spare = this.spare;
    let best = -1;
    for (let i = 0; i < spare.length; i++) {
      const size = spare[i].byteLength;
      if (size >= bytes && size <= MAX_SLACK * bytes && (best < 0 || size < spare[best].byteLength)) best = i;
    }
    if (best < 0) return new make(length);
    const array = new make(spare.splice(best, 1)[0], 0, length);
    array.fill(0);
    return array;
  }
}

/**
 * Arrays in shared memory: a worker thread given them (postMessage) reads the same memory, with
 * no copy on either side. `ultra train` builds its model's probabilities so, for the worker that
 * writes the image's query graph from them (src/cli/training-apart.ts).
 */
export const sharedArrays: ArrayAllocator = {
  int32: (length) => new Int32Array(new SharedArrayBuffer(length * 4)),
  uint32: (length) => new Uint32Array(new SharedArrayBuffer(length * 4)),
  float64: (length) => new Float64Array(new SharedArrayBuffer(length * 8)),
};
