// The discounted shares (a − D)/Σa of the continuations of each context, as a model image stores
// them (layout 3): an 8-bit code per node above the unigrams into a 256-entry codebook per order
// (quantize.ts, as the probabilities), and every SHARE_CHECKPOINT-th node the running sum of the
// decoded shares of its run so far (32 bits). A run's running share at any node is its block's
// checkpoint (when the block's start lies in the same run) plus at most SHARE_CHECKPOINT − 1
// codes, and a draw binary-searches the run's checkpoints, then scans at most that many codes.
// Against layout 2's 16-bit running share per node: 1 + 4/16 bytes per coded node, and 1.25 bits
// per context, instead of 2 bytes per node.
//
// A draw is by the decoded shares, normalized by their sum over the run, so each continuation is
// drawn with its quantized share exactly (within float rounding); its error against the exact
// model's is a codebook bin's half-width, the same bound as the probabilities'.
//
// A context with a single continuation stores no share: it is the whole 1 − γ(h) of its context
// (Brown's order 5: 1.95 M of its 2.15 M runs). `single` marks those contexts, and its rank
// turns a node into its index among the coded ones: node − |V| − (single contexts before its
// context), so the codes of a run stay contiguous. Indices below are those coded indices (the
// unigrams have no code either: their running shares stay 32-bit floats).
// A reader never touches an element outside the arrays: `from` and `to` bound every scan, and a
// checkpoint is read only for a block that ends inside [from, to).

/** Nodes per checkpoint (a power of two). */
export const SHARE_CHECKPOINT = 16;
const SHIFT = 4;
const LOW = SHARE_CHECKPOINT - 1;

/** Checkpoints of `nodes` coded nodes: one at the end of each whole block. */
export function checkpointsFor(nodes: number): number {
  return nodes >>> SHIFT;
}

import type { RankBits } from './rank-bits.js';

export class RunShares {
  /** Per node above the unigrams: its share's code. */
  readonly code: Uint8Array;
  /** CODEBOOK_SIZE entries per order from the bigrams up (the share of a code). */
  readonly table: Float32Array;
  /** Per whole block j: Σ of the decoded shares from its run's start through node 16j + 15. */
  readonly checkpoint: Float32Array;
  /** Per context (a node below the highest order): whether its run holds a single continuation. */
  readonly single: RankBits;

  constructor(code: Uint8Array, table: Float32Array, checkpoint: Float32Array, single: RankBits) {
    if (checkpoint.length !== checkpointsFor(code.length))
      throw new RangeError(`${checkpoint.length} share checkpoints for ${code.length} codes`);
    this.code = code;
    this.table = table;
    this.checkpoint = checkpoint;
    this.single = single;
  }

  /** What a node's coded index is less than its index above the unigrams, in the run of `context`. */
  skippedBefore(context: number): number {
    return this.single.rank(context);
  }

  /** The decoded share of node `at` (a child whose codebook starts at `table`). */
  share(table: number, at: number): number {
    return this.table[table | this.code[at]];
  }

  /** Σ of the decoded shares of the run that starts at `from`, through `at` (from ≤ at). */
  through(table: number, from: number, at: number): number {
    let start = at & ~LOW;
    let sum = 0;
    if (start > from) sum = this.checkpoint[(start >>> SHIFT) - 1];
    else start = from;
    const { code, table: values } = this;
    for (let y = start; y <= at; y++) sum += values[table | code[y]];
    return sum;
  }

  /**
   * The first node of the run [from, to) (to > from) whose running share exceeds `fraction`
   * (in [0, 1)) of the run's whole; the last one if rounding left none.
   */
  draw(table: number, from: number, to: number, fraction: number): number {
    const last = to - 1;
    if (last === from) return from;
    const target = fraction * this.through(table, from, last);
    const checkpoint = this.checkpoint;
    // Checkpoints of the blocks that end inside the run: j in [from >> 4, (to >> 4) − 1].
    let lo = from >>> SHIFT;
    const hi = (to >>> SHIFT) - 1;
    let start = from;
    let sum = 0;
    if (lo <= hi) {
      // The first checkpoint above the target (hi + 1 when none is).
      let end = hi + 1;
      while (lo < end) {
        const mid = (lo + end) >>> 1;
        if (checkpoint[mid] > target) end = mid;
        else lo = mid + 1;
      }
      if (end > from >>> SHIFT) {
        start = end << SHIFT;
        sum = checkpoint[end - 1];
      }
    }
    const { code, table: values } = this;
    for (let y = start; y < last; y++) {
      sum += values[table | code[y]];
      if (sum > target) return y;
    }
    return last;
  }

  get byteLength(): number {
    return this.code.byteLength + this.table.byteLength + this.checkpoint.byteLength + this.single.byteLength;
  }
}
