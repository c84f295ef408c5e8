// The natural sampler's draw tables: per context, the continuations a draw may take whatever the
// walk (probability above zero, not <unk> or <s>), in the draw's order, with their weights
// p^(1/T) and the running sums of those weights, at one temperature. The same contexts (near the
// root, sentence starts, common phrases) are weighed again and again; with their table kept, a
// draw there reads one contiguous list instead of a run of the model image, and finds its word by
// binary search over the running sums (sample-natural.ts, NaturalWalker.draw).
//
// The per-draw rules (`</s>` before MIN_WORDS, the pair evidence of a repeat, quotes and
// brackets, refused loops) can only refuse a word; the table notes which of its words are ever
// looked at (reserved ids, marks), and the sampler takes those and the previous word out of the
// sums for that draw. A table is kept from a context's second visit (most contexts are visited
// once; a first visit is weighed where it lies); the tables live in one arena, dropped at once
// when it is full or the temperature changes, so the memory is bounded. The arena and the slots
// grow with use, so a small model, which keeps few lists, holds little: the arena by half again
// when a list does not fit, the slots (a context may take its own or a hashed second one) doubled
// when a context finds both holding kept lists, so below the most slots a kept list is never
// pushed out and written again (each rewrite would take new room in the arena).

import type { QueryGraph } from './query-graph.js';

/** Longest list (the sampler's MAX_DRAW). */
const LONGEST_LIST = 256;
/** Slots at first, and at most (contexts kept at once; two per context, doubled when both hold kept lists). */
const FIRST_SLOTS = 64;
const MAX_SLOTS = 4096;
/** Candidates the arena holds when first used (it grows by half again as lists are kept). */
const FIRST_ARENA = 256;
/** Most candidates in the arena (20 bytes each: an id, a weight, a running sum; ~1.3 MB). */
export const DRAW_TABLE_CANDIDATES = 1 << 16;
const MAX_ARENA = DRAW_TABLE_CANDIDATES;

/**
 * How far (as a share of the weights' sum) the uniform must fall from both ends of the word a
 * binary search over running sums found for that word to be the one a sequential sum and
 * subtraction would find: their rounding differs by at most ~2·LONGEST_LIST·2⁻⁵³ of the sum. Nearer
 * (about once in 10⁹ draws), the draw is redone sequentially.
 */
const SEARCH_MARGIN = 1e-9;
/** Refused words a draw may add to a list's noted ones: the previous word and the loops a walk retries. */
const MAX_REFUSED = 8;

/** Per-context draw lists, kept at one temperature (module comment). */
export class DrawTables {
  /** Candidates' word ids, weights and running sums, list after list. */
  ids = new Int32Array(0);
  weights = new Float64Array(0);
  cumulative = new Float64Array(0);
  /** Positions (in its list) of the candidates a draw's rules may refuse, per list. */
  specials = new Int32Array(0);
  /** The current list (after find or finish): where it starts, its length, its specials. */
  base = 0;
  count = 0;
  specialFrom = 0;
  specialTo = 0;
  /** Whether the current list is in ascending word order (a run's own order; not the ranked top of a large run). */
  sorted = false;
  /** Positions (ascending) of the current list's candidates one draw refuses (the sampler notes them). */
  readonly excluded = new Int32Array(LONGEST_LIST + MAX_REFUSED);

  /** Per slot: context + 2 (0 when empty), negated while the context has been visited once. */
  private slotKey = new Int32Array(FIRST_SLOTS);
  private slotBase = new Int32Array(FIRST_SLOTS);
  private slotCount = new Int32Array(FIRST_SLOTS);
  private slotSpecials = new Int32Array(FIRST_SLOTS);
  private slotSpecialEnd = new Int32Array(FIRST_SLOTS);
  private slotSorted = new Uint8Array(FIRST_SLOTS);
  private mask = FIRST_SLOTS - 1;
  private readonly vocabularySize: number;
  private used = 0;
  private specialsUsed = 0;
  private inverseTemperature = Number.NaN;
  /** The list being written: its slot (−1: none), and where its specials were noted. */
  private writingSlot = -1;
  private writingSpecials = 0;

  constructor(graph: QueryGraph) {
    this.vocabularySize = graph.vocabularySize;
  }

  /** Typed-array bytes held (what the model's residentBytes counts, through the ranking). */
  get byteLength(): number {
    return (
      this.ids.byteLength +
      this.weights.byteLength +
      this.cumulative.byteLength +
      this.specials.byteLength +
      this.slotKey.byteLength +
      this.slotBase.byteLength +
      this.slotCount.byteLength +
      this.slotSpecials.byteLength +
      this.slotSpecialEnd.byteLength +
      this.slotSorted.byteLength +
      this.excluded.byteLength +
      (this.evidence?.byteLength ?? 0) +
      (this.marks?.byteLength ?? 0)
    );
  }

  private evidence: Uint8Array | null = null;

  /**
   * A byte per vocabulary id for the sampler's pair evidence of that word (a fact of the model,
   * whatever the temperature), created on first use.
   */
  pairEvidence(): Uint8Array {
    this.evidence ??= new Uint8Array(this.vocabularySize);
    return this.evidence;
  }

  private marks: Uint8Array | null = null;

  /** A byte per vocabulary id for the sampler to mark words during one draw (left all zero), created on first use. */
  copyMarks(): Uint8Array {
    this.marks ??= new Uint8Array(this.vocabularySize);
    return this.marks;
  }

  /** Candidates held in kept lists now. */
  get keptCandidates(): number {
    return this.used;
  }

  /** Drops every kept list when the temperature differs from theirs (weights are p^(1/T)). */
  useTemperature(inverseTemperature: number): void {
    if (inverseTemperature === this.inverseTemperature) return;
    this.inverseTemperature = inverseTemperature;
    this.clear();
  }

  /**
   * Whether the list of `context` (ROOT included) is kept: then it is the current list. When it is
   * not, the visit is noted, and `begin` keeps the list written next if this was the second.
   */
  find(context: number): boolean {
    const key = context + 2;
    // Two slots a context may take: its own, and one hashed (so that contexts with a slot in
    // common rarely have the second too).
    const a = key & this.mask;
    const b = otherSlot(key, this.mask);
    const atA = this.slotKey[a];
    const atB = this.slotKey[b];
    const slot = atA === key ? a : atB === key ? b : -1;
    if (slot >= 0) {
      this.base = this.slotBase[slot];
      this.count = this.slotCount[slot];
      this.specialFrom = this.slotSpecials[slot];
      this.specialTo = this.slotSpecialEnd[slot];
      this.sorted = this.slotSorted[slot] === 1;
      return true;
    }
    this.writingSlot = atA === -key ? a : atB === -key ? b : -1;
    if (this.writingSlot >= 0) return false;
    // A first visit is noted in an empty slot, else over another's first visit, else (both slots
    // hold kept lists) in more slots, or over the first list when the slots are at their most.
    if (atA === 0 || (atA < 0 && atB !== 0)) this.slotKey[a] = -key;
    else if (atB <= 0) this.slotKey[b] = -key;
    else if (this.slotKey.length < MAX_SLOTS) {
      this.growSlots(key);
      return this.find(context);
    } else this.slotKey[a] = -key;
    return false;
  }

  /** Whether the list `find` did not have is to be kept now (its second visit): write it (begin, add, finish). */
  get keeping(): boolean {
    return this.writingSlot >= 0;
  }

  /** Starts writing the list (of at most `capacity` candidates) of the context `find` asked to keep. */
  begin(capacity: number, sorted: boolean): void {
    if (this.writingSlot < 0) throw new Error('no list to keep: find did not ask for one');
    if (capacity > LONGEST_LIST) throw new Error(`a list holds at most ${LONGEST_LIST} candidates`);
    this.reserve(capacity);
    this.base = this.used;
    this.count = 0;
    this.sorted = sorted;
    this.writingSpecials = this.specialsUsed;
  }

  /** Appends a candidate to the list being written; `special` when a draw's rules may refuse it. */
  add(id: number, weight: number, special: boolean): void {
    const at = this.base + this.count;
    this.ids[at] = id;
    this.weights[at] = weight;
    this.cumulative[at] = (this.count === 0 ? 0 : this.cumulative[at - 1]) + weight;
    if (special) this.specials[this.writingSpecials++] = this.count;
    this.count++;
  }

  /** Ends the list being written: it is kept, and becomes the current list. */
  finish(): void {
    const slot = this.writingSlot;
    this.specialFrom = this.specialsUsed;
    this.specialTo = this.writingSpecials;
    this.slotKey[slot] = -this.slotKey[slot];
    this.slotBase[slot] = this.base;
    this.slotCount[slot] = this.count;
    this.slotSpecials[slot] = this.specialFrom;
    this.slotSpecialEnd[slot] = this.specialTo;
    this.slotSorted[slot] = this.sorted ? 1 : 0;
    this.used += this.count;
    this.specialsUsed = this.specialTo;
    this.writingSlot = -1;
  }

  /**
   * Enough slots (doubled, at most MAX_SLOTS) for the kept lists and `key` each to have one of
   * their two, the kept lists moved into them (contexts visited once are forgotten). At
   * MAX_SLOTS, a kept list with neither slot free is dropped, as `find` drops one.
   */
  private growSlots(key: number): void {
    const { slotKey, slotBase, slotCount, slotSpecials, slotSpecialEnd, slotSorted } = this;
    for (let size = 2 * slotKey.length; ; size *= 2) {
      this.slotKey = new Int32Array(size);
      this.slotBase = new Int32Array(size);
      this.slotCount = new Int32Array(size);
      this.slotSpecials = new Int32Array(size);
      this.slotSpecialEnd = new Int32Array(size);
      this.slotSorted = new Uint8Array(size);
      this.mask = size - 1;
      let placed = true;
      for (let old = 0; old < slotKey.length; old++) {
        const kept = slotKey[old];
        if (kept <= 0) continue;
        const a = kept & this.mask;
        const b = otherSlot(kept, this.mask);
        const slot = this.slotKey[a] === 0 ? a : this.slotKey[b] === 0 ? b : -1;
        if (slot < 0) {
          placed = false;
          if (size < MAX_SLOTS) break;
          continue; // at the most slots, the list is dropped
        }
        this.slotKey[slot] = kept;
        this.slotBase[slot] = slotBase[old];
        this.slotCount[slot] = slotCount[old];
        this.slotSpecials[slot] = slotSpecials[old];
        this.slotSpecialEnd[slot] = slotSpecialEnd[old];
        this.slotSorted[slot] = slotSorted[old];
      }
      const room = this.slotKey[key & this.mask] === 0 || this.slotKey[otherSlot(key, this.mask)] === 0;
      if ((placed && room) || size >= MAX_SLOTS) return;
    }
  }

  /** Position of `word` in the current list, or −1. */
  positionOf(word: number): number {
    const { ids, base, count } = this;
    if (!this.sorted) {
      for (let i = 0; i < count; i++) if (ids[base + i] === word) return i;
      return -1;
    }
    let lo = 0;
    let hi = count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const found = ids[base + mid];
      if (found < word) lo = mid + 1;
      else if (found > word) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Inserts `position` into excluded[0, count) (ascending, each once); returns the new count. */
  exclude(count: number, position: number): number {
    const excluded = this.excluded;
    let i = count;
    while (i > 0 && excluded[i - 1] > position) i--;
    if (i > 0 && excluded[i - 1] === position) return count;
    excluded.copyWithin(i + 1, i, count);
    excluded[i] = position;
    return count + 1;
  }

  /** The first word of the current list that is not excluded[0, refused). */
  firstKept(refused: number): number {
    let position = 0;
    for (let x = 0; x < refused && this.excluded[x] === position; x++) position++;
    return this.ids[this.base + position];
  }

  /**
   * A word of the current list less excluded[0, refused) drawn by weight with the uniform
   * `uniform` in [0, 1): the one whose running sum first exceeds uniform × sum, the sum and the
   * running sums taken in list order (the sampler's `pick` without top-k or nucleus). Found by
   * binary search over the kept running sums, less the refused words' weights before; a uniform
   * within SEARCH_MARGIN of either end of the word found is redone sequentially, as `pick` does
   * it, so the word is always the one `pick` returns.
   */
  pick(refused: number, uniform: number): number {
    const { ids, weights, base, count } = this;
    const sum = this.runningSum(count - 1, refused);
    const target = uniform * sum;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runningSum(mid, refused) > target) hi = mid;
      else lo = mid + 1;
    }
    const margin = SEARCH_MARGIN * sum;
    if (
      this.runningSum(lo, refused) - target > margin &&
      target - (lo > 0 ? this.runningSum(lo - 1, refused) : 0) > margin
    )
      return ids[base + lo];
    // As pick: the sum in list order, then the uniform's share of it spent word by word.
    const excluded = this.excluded;
    let exactSum = 0;
    for (let i = 0, x = 0; i < count; i++) {
      if (x < refused && excluded[x] === i) x++;
      else exactSum += weights[base + i];
    }
    let left = uniform * exactSum;
    let last = -1;
    for (let i = 0, x = 0; i < count; i++) {
      if (x < refused && excluded[x] === i) {
        x++;
        continue;
      }
      left -= weights[base + i];
      if (left < 0) return ids[base + i];
      last = i;
    }
    return ids[base + last];
  }

  /** The running sum of the current list's weights to position i, less the refused ones' up to there. */
  private runningSum(i: number, refused: number): number {
    const { excluded, weights, base } = this;
    let sum = this.cumulative[base + i];
    for (let x = 0; x < refused && excluded[x] <= i; x++) sum -= weights[base + excluded[x]];
    return sum;
  }

  /** Room for `capacity` more candidates (and as many specials): grows the arena, or drops every kept list. */
  private reserve(capacity: number): void {
    if (this.used + capacity > MAX_ARENA || this.specialsUsed + capacity > MAX_ARENA) {
      const slot = this.writingSlot;
      const key = this.slotKey[slot];
      this.clear();
      this.slotKey[slot] = key;
    }
    if (this.used + capacity > this.ids.length) {
      const size = Math.min(MAX_ARENA, Math.max(FIRST_ARENA, Math.ceil(1.5 * this.ids.length), this.used + capacity));
      this.ids = grown(this.ids, new Int32Array(size), this.used);
      this.weights = grown(this.weights, new Float64Array(size), this.used);
      this.cumulative = grown(this.cumulative, new Float64Array(size), this.used);
    }
    if (this.specialsUsed + capacity > this.specials.length) {
      const size = Math.min(MAX_ARENA, Math.max(LONGEST_LIST, 2 * this.specials.length, this.specialsUsed + capacity));
      this.specials = grown(this.specials, new Int32Array(size), this.specialsUsed);
    }
  }

  private clear(): void {
    this.slotKey.fill(0);
    this.used = 0;
    this.specialsUsed = 0;
  }
}

/** The second slot `key` may take (a multiplicative hash: Fibonacci's, top 12 bits). */
function otherSlot(key: number, mask: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 20) & mask;
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T, length: number): T {
  to.set(from.subarray(0, length));
  return to;
}
