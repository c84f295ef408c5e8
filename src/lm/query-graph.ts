// The query graph: what generation reads, and what a model image holds (docs/model.md, "The model
// image"). The same pattern graph as graph.ts, narrowed:
// - probabilities of bigrams and up, and backoffs of contexts above the unigrams, are 8-bit codes
//   into a 256-entry codebook per order (KenLM's `-q 8 -b 8`: src/lm/image/quantize.ts); the
//   unigrams keep 32-bit floats;
// - child starts are one unary bit vector (unary-starts.ts: a start is the zeros before its one,
//   every 32nd one's position kept);
// - suffix links are searched, not stored (KenLM's re-query): a bigram's suffix is its own last
//   word, and the link of a longer context h w is the child w of the first context on the suffix
//   chain of its parent h that has one, as for the state after a highest-order n-gram
//   (stateAfter). The parent is the state's predecessor when stateAfter entered it (noted), else
//   found by a search of the child starts (UnaryStarts.lastAtMost); a small memo keeps the links a walk asks for
//   again. A reader also takes images that store the links of the lowest levels (bit-packed,
//   packed-ints.ts, each less its level's smallest: LINKED_LEVELS in image/query-arrays.ts);
// - the discounted shares of the continuations within each run of siblings (what the exact
//   sampler draws by, and the natural sampler's pair evidence) are 8-bit codes per order with
//   sparse running sums (run-shares.ts); the unigrams' running shares stay 32-bit floats (one run
//   of the whole vocabulary).
//
// Every model generates from its query graph, a trained or decoded one too (Model.query builds it
// from the exact arrays with the image's own code), so `/generate`, the sample after `/train`, the
// console and `ultra generate` read the same numbers and give the same text.

import { ROOT, searchRun, type WordArray } from './graph.js';
import type { UnaryStarts } from './unary-starts.js';
import type { PackedInts } from './packed-ints.js';
import type { RankBits } from './rank-bits.js';
import type { RunShares } from './run-shares.js';
import type { Scorer } from './query.js';

/** Entries of a query graph's memo of searched suffix links (a power of two). */
const SEARCHED_LINKS = 256;

/**
 * One past the last node whose suffix link is stored when the links of `linkedLevels` levels from
 * the trigrams are (never past the highest context level): what the image writer and reader agree on.
 */
export function linkedEndOf(offsets: ArrayLike<number>, order: number, linkedLevels: number): number {
  return offsets[Math.min(2 + linkedLevels, order - 1)];
}

/** Codebook entries per order (8-bit codes). */
export const CODEBOOK_SIZE = 256;

/** The arrays of a query graph, as a model image stores them. */
export interface QueryArrays {
  order: number;
  vocabularySize: number;
  /** Global index of each level's first node; offsets[order] = total nodes. */
  offsets: Int32Array;
  word: WordArray;
  /** contexts + 1 entries (contexts = offsets[order − 1]), as one unary bit vector (unary-starts.ts). */
  childStart: UnaryStarts;
  /**
   * Suffix links of the nodes from offsets[2] to linkedTo, each less its level's base
   * (suffixBases), at the fewest bits that hold the largest.
   */
  suffix: PackedInts;
  /** Per linked level (from the trigrams): the smallest link of that level, added back on a read. */
  suffixBases: Int32Array;
  /**
   * One past the last node whose link is stored (a level's start, at most the highest level's):
   * the links of the contexts from there on are searched (QueryGraph.suffixOf).
   */
  linkedTo: number;
  /** p(w) per unigram (0 for <s>). */
  unigramProb: Float32Array;
  /** Per node: its probability's code (unigram entries unused). */
  probCode: Uint8Array;
  /** CODEBOOK_SIZE entries for each order from the bigrams up. */
  probTable: Float32Array;
  /** γ per unigram context (none for a unigram model). */
  unigramBackoff: Float32Array;
  /**
   * Per context above the unigrams (index context − |V|): whether its γ is its level's implied
   * one (image/implied-backoffs.ts), stored once in impliedBackoff instead of as a code.
   */
  backoffImplied: RankBits;
  /** Per context level from the bigrams: the implied γ. */
  impliedBackoff: Float32Array;
  /** Per context above the unigrams that is not implied, in order: its backoff's code. */
  backoffCode: Uint8Array;
  /** CODEBOOK_SIZE entries for each context order from the bigrams up. */
  backoffTable: Float32Array;
  /** Running discounted share over the unigrams (ends at 1 − γ(ε)). */
  unigramCumulative: Float32Array;
  /**
   * Per node above the unigrams (index node − |V|): its discounted share within its run of
   * siblings, coded per order, with a running sum every 16 nodes (run-shares.ts).
   */
  shares: RunShares;
  rootBackoff: number;
  uniform: number;
  /**
   * Largest |ln q − ln p| of one query p(w | h) read here against the exact model's: the largest
   * error of a stored probability plus order − 1 times that of a stored backoff.
   */
  logErrorBound: number;
}

/** Scratch result of `step`, reused to avoid allocating per token. */
export interface StepResult {
  /** p(w | history). */
  probability: number;
  /** State after w. */
  state: number;
  /** Context nodes consulted (the root counts as one). */
  activated: number;
}

export class QueryGraph implements Scorer {
  readonly order: number;
  readonly vocabularySize: number;
  readonly offsets: Int32Array;
  readonly word: WordArray;
  readonly childStart: UnaryStarts;
  readonly suffix: PackedInts;
  readonly suffixBases: Int32Array;
  readonly unigramProb: Float32Array;
  readonly probCode: Uint8Array;
  readonly probTable: Float32Array;
  readonly unigramBackoff: Float32Array;
  readonly backoffImplied: RankBits;
  readonly impliedBackoff: Float32Array;
  readonly backoffCode: Uint8Array;
  readonly backoffTable: Float32Array;
  readonly unigramCumulative: Float32Array;
  readonly shares: RunShares;
  readonly rootBackoff: number;
  readonly uniform: number;
  readonly logErrorBound: number;
  /** First node of the highest level: those nodes are never states. */
  readonly topLevelStart: number;
  /** First node whose suffix link is stored (the trigrams'). */
  private readonly linkedFrom: number;
  readonly linkedTo: number;
  /** Searched links, direct-mapped by node (a walk asks for the same few again and again). */
  private readonly searchedNode = new Int32Array(SEARCHED_LINKS).fill(-1);
  private readonly searchedLink = new Int32Array(SEARCHED_LINKS);
  /** Parents of the last states entered (stateAfter knows them), so a link search skips parentOf. */
  private readonly enteredNode = new Int32Array(SEARCHED_LINKS).fill(-1);
  private readonly enteredParent = new Int32Array(SEARCHED_LINKS);

  constructor(arrays: QueryArrays) {
    this.order = arrays.order;
    this.vocabularySize = arrays.vocabularySize;
    this.offsets = arrays.offsets;
    this.word = arrays.word;
    this.childStart = arrays.childStart;
    this.suffix = arrays.suffix;
    this.suffixBases = arrays.suffixBases;
    this.unigramProb = arrays.unigramProb;
    this.probCode = arrays.probCode;
    this.probTable = arrays.probTable;
    this.unigramBackoff = arrays.unigramBackoff;
    this.backoffImplied = arrays.backoffImplied;
    this.impliedBackoff = arrays.impliedBackoff;
    this.backoffCode = arrays.backoffCode;
    this.backoffTable = arrays.backoffTable;
    this.unigramCumulative = arrays.unigramCumulative;
    this.shares = arrays.shares;
    this.rootBackoff = arrays.rootBackoff;
    this.uniform = arrays.uniform;
    this.logErrorBound = arrays.logErrorBound;
    this.topLevelStart = arrays.offsets[arrays.order - 1];
    this.linkedFrom = arrays.offsets[Math.min(2, arrays.order)];
    this.linkedTo = arrays.linkedTo;
  }

  get total(): number {
    return this.offsets[this.order];
  }

  /** Bytes of the graph's own memos (searched links, entered parents): held besides its arrays. */
  get memoBytes(): number {
    return (
      this.searchedNode.byteLength +
      this.searchedLink.byteLength +
      this.enteredNode.byteLength +
      this.enteredParent.byteLength
    );
  }

  /** First child of a context (a node below the highest level). */
  childFrom(context: number): number {
    return this.childStart.get(context);
  }

  /** One past the last child of a context. */
  childTo(context: number): number {
    return this.childStart.get(context + 1);
  }

  /** Node of the longest stored proper suffix of `node` (below the highest level); ROOT for unigrams. */
  suffixOf(node: number): number {
    if (node < this.vocabularySize) return ROOT;
    if (node < this.linkedFrom) return this.word[node];
    if (node >= this.linkedTo) return this.searchedSuffixOf(node);
    const { offsets, suffixBases } = this;
    let k = 0;
    while (k + 1 < suffixBases.length && node >= offsets[k + 3]) k++;
    return this.suffix.get(node - this.linkedFrom) + suffixBases[k];
  }

  /**
   * The link of a context whose link is not stored: the child (its word) of the first context on
   * the suffix chain of its parent that has one, as graph.ts links it (KenLM's re-query).
   */
  private searchedSuffixOf(node: number): number {
    const slot = node & (SEARCHED_LINKS - 1);
    if (this.searchedNode[slot] === node) return this.searchedLink[slot];
    const parent = this.enteredNode[slot] === node ? this.enteredParent[slot] : this.parentOf(node);
    const link = this.stateAfterIn(parent, this.word[node]);
    this.searchedNode[slot] = node;
    this.searchedLink[slot] = link;
    return link;
  }

  /** The context whose run holds `node` (above the unigrams): the last whose child start is ≤ node. */
  parentOf(node: number): number {
    return this.childStart.lastAtMost(node);
  }

  /** Child of `context` (ROOT or a node below the highest level) with last word `word`, or -1. */
  findChild(context: number, word: number): number {
    if (context < 0) return word < this.vocabularySize ? word : -1;
    return searchRun(this.word, this.childStart.get(context), this.childStart.get(context + 1), word);
  }

  /** p(w | h) of the stored n-gram `node` = h w (for unigrams, p(w)). */
  prob(node: number): number {
    if (node < this.vocabularySize) return this.unigramProb[node];
    const offsets = this.offsets;
    let k = 2;
    while (k < this.order && node >= offsets[k]) k++;
    return this.probTable[((k - 2) << 8) | this.probCode[node]];
  }

  /**
   * Where the codebook of the children of `context` (ROOT's children excepted: unigrams are
   * float32) starts in probTable: their probabilities are probTable[start | probCode[child]].
   */
  childTableStart(context: number): number {
    const offsets = this.offsets;
    let level = 0;
    while (level + 1 < this.order && context >= offsets[level + 1]) level++;
    return level << 8;
  }

  /** γ(h) of a context node (1 when it has no continuations). */
  backoff(context: number): number {
    const above = context - this.vocabularySize;
    if (above < 0) return this.unigramBackoff[context];
    const offsets = this.offsets;
    let k = 2;
    while (k < this.order - 1 && context >= offsets[k]) k++;
    const implied = this.backoffImplied;
    if (implied.has(above)) return this.impliedBackoff[k - 2];
    return this.backoffTable[((k - 2) << 8) | this.backoffCode[above - implied.rank(above)]];
  }

  /**
   * The discounted share (a − D)/Σa of `node` among the continuations of `context` (its parent),
   * as its code stores it; a single continuation's is the whole 1 − γ(context).
   */
  shareOf(context: number, node: number): number {
    const shares = this.shares;
    if (shares.single.has(context)) return 1 - this.backoff(context);
    const at = node - this.vocabularySize - shares.skippedBefore(context);
    return shares.share(this.childTableStart(context), at);
  }

  /**
   * The child of `context` in [from, to) (its run; to > from) whose running share first exceeds
   * `fraction` (in [0, 1)) of the run's whole: a continuation drawn by its stored share.
   */
  drawChild(context: number, from: number, to: number, fraction: number): number {
    if (to - from === 1) return from;
    const skipped = this.vocabularySize + this.shares.skippedBefore(context);
    return this.shares.draw(this.childTableStart(context), from - skipped, to - skipped, fraction) + skipped;
  }

  /**
   * The state after `node`, a child of `context`: the node itself, or, for the highest order
   * (h w, never a state), the longest stored suffix of it: the child w of the first context on
   * the suffix chain of h that has one (as graph.ts links it: at the root every word has a node).
   */
  stateAfter(context: number, node: number): number {
    if (this.order === 1) return ROOT;
    if (node < this.topLevelStart) {
      const slot = node & (SEARCHED_LINKS - 1);
      this.enteredNode[slot] = node;
      this.enteredParent[slot] = context;
      return node;
    }
    return this.stateAfterIn(context, this.word[node]);
  }

  /** The child `word` of the first context on the suffix chain of `context` (past it) that has one. */
  private stateAfterIn(context: number, word: number): number {
    for (let shorter = this.suffixOf(context); ; shorter = this.suffixOf(shorter)) {
      const found = this.findChild(shorter, word);
      if (found >= 0) {
        // Its parent is known here: its own link, when searched, skips parentOf.
        const slot = found & (SEARCHED_LINKS - 1);
        this.enteredNode[slot] = found;
        this.enteredParent[slot] = shorter;
        return found;
      }
    }
  }

  /** Scores `word` after `state` and moves to the next state (query.ts has the exact twin). */
  step(state: number, word: number, out: StepResult): StepResult {
    let context = state;
    let weight = 1;
    let activated = 0;
    for (;;) {
      activated++;
      const child = this.findChild(context, word);
      if (child >= 0) {
        out.probability = weight * this.prob(child);
        out.state = this.stateAfter(context, child);
        out.activated = activated;
        return out;
      }
      weight *= this.backoff(context);
      context = this.suffixOf(context);
    }
  }
}
