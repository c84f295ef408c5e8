// Buffers of the models the cache evicted (Model.arrayBuffers: their per-n-gram arrays), kept for
// the next loads (src/lm/arrays.ts). Decoding a large model into memory this process already holds
// is about three times faster here than into new memory (Brown order 5: ~170 vs ~560 ms), because
// faulting new pages in is the larger part of a load. Spares count against the cache budget with
// the cached models, so keeping them never lets the models' memory grow beyond the budget: they
// are memory the cache just gave up. When evictions and reuses stop for a while (the load pressure
// is over), the spares are dropped, so an idle bot gives that memory back.

/**
 * Smaller buffers are not worth keeping: glibc serves blocks under its mmap threshold (128 KB at
 * first) from memory freed earlier by itself.
 */
const MIN_SPARE_BYTES = 256 * 1024;

/** Spares are dropped after this long without an eviction adding one or a load using one. */
const SPARE_IDLE_MS = 10 * 60_000;

export class SpareBuffers {
  /** Oldest first. */
  private buffers: ArrayBuffer[] = [];
  private total = 0;
  private lastActive: number;

  constructor(
    readonly minBytes = MIN_SPARE_BYTES,
    readonly idleMs = SPARE_IDLE_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.lastActive = clock();
  }

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.buffers.length;
  }

  /**
   * Keeps the buffers that are large enough, then drops the oldest until at most `room` bytes are
   * kept. `fresh`: buffers an eviction just gave up (not spares a load handed back unused), which
   * keep the spares from expiring.
   */
  add(buffers: ArrayBuffer[], room: number, fresh = true): void {
    if (fresh && buffers.length > 0) this.lastActive = this.clock();
    for (const buffer of buffers) {
      if (buffer.byteLength < this.minBytes) continue; // also a detached buffer (0 bytes)
      this.buffers.push(buffer);
      this.total += buffer.byteLength;
    }
    this.trim(room);
  }

  /** Drops the oldest spares until at most `room` bytes are kept. */
  trim(room: number): void {
    while (this.total > Math.max(0, room) && this.buffers.length > 0)
      this.total -= (this.buffers.shift() as ArrayBuffer).byteLength;
  }

  /** A load used spares: they are still wanted. */
  used(): void {
    this.lastActive = this.clock();
  }

  /** Drops every spare when none was added or used for `idleMs`; true when it did. */
  expire(): boolean {
    if (this.buffers.length === 0 || this.clock() - this.lastActive < this.idleMs) return false;
    this.trim(0);
    return true;
  }

  /**
   * The spare that fits `bytes` best (at least that large, at most twice: the holder counts the
   * whole buffer), taken out; null when none fits. What a model image is read into.
   */
  take(bytes: number): ArrayBuffer | null {
    let best = -1;
    for (let i = 0; i < this.buffers.length; i++) {
      const size = this.buffers[i].byteLength;
      if (size >= bytes && size <= 2 * bytes && (best < 0 || size < this.buffers[best].byteLength)) best = i;
    }
    if (best < 0) return null;
    const [taken] = this.buffers.splice(best, 1);
    this.total -= taken.byteLength;
    this.used();
    return taken;
  }

  /** Every spare, taken out (to be moved to the decoding thread). */
  takeAll(): ArrayBuffer[] {
    const taken = this.buffers;
    this.buffers = [];
    this.total = 0;
    return taken;
  }
}
