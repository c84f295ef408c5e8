// Buffers of the models the cache evicted (Model.arrayBuffers: their per-n-gram arrays), kept for
// the next loads (src/lm/arrays.ts). Decoding a large model into memory this process already holds
// is about three times faster here than into new memory (Brown order 5: ~170 vs ~560 ms), because
// faulting new pages in is the larger part of a load. Spares count against the cache budget with
// the cached models, so keeping them never lets the models' memory grow beyond the budget: they
// are memory the cache just gave up.

/**
 * Smaller buffers are not worth keeping: glibc serves blocks under its mmap threshold (128 KB at
 * first) from memory freed earlier by itself.
 */
export const MIN_SPARE_BYTES = 256 * 1024;

export class SpareBuffers {
  /** Oldest first. */
  private buffers: ArrayBuffer[] = [];
  private total = 0;

  constructor(readonly minBytes = MIN_SPARE_BYTES) {}

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.buffers.length;
  }

  /** Keeps the buffers that are large enough, then drops the oldest until at most `room` bytes are kept. */
  add(buffers: ArrayBuffer[], room: number): void {
    for (const buffer of buffers) {
      if (buffer.byteLength < this.minBytes) continue; // also a detached buffer (0 bytes)
      this.buffers.push(buffer);
      this.total += buffer.byteLength;
    }
    this.trim(room);
  }

  /** Drops the oldest spares until at most `room` bytes are kept. */
  trim(room: number): void {
    while (this.total > Math.max(0, room) && this.buffers.length > 0) this.total -= (this.buffers.shift() as ArrayBuffer).byteLength;
  }

  /** Every spare, taken out (to be moved to the decoding thread). */
  takeAll(): ArrayBuffer[] {
    const taken = this.buffers;
    this.buffers = [];
    this.total = 0;
    return taken;
  }
}
