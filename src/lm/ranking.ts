// Continuations of each context ranked by probability, for the explicit-score sampler
// (sample-candidates.ts) and the natural sampler's large runs (sample-natural.ts): ranked lazily,
// on a context's first visit, and kept by the model with the candidate heads and the samplers'
// scratch. Ranks are by the query graph's probability codes: one order's codes follow its
// probabilities (src/lm/image/quantize.ts), and a run's children are all of one order.

import { DrawTables } from './draw-tables.js';
import type { QueryGraph } from './query-graph.js';
import { selectBestByKey, sortByDescendingKey } from './typed-sort.js';
import { EOS_ID } from './types.js';

/** Candidates taken from each context (and from the unigrams) on the explicit-score path. */
export const PER_CONTEXT_CANDIDATES = 32;

/**
 * Candidate words of one state with exact log-probabilities, most probable first: entries
 * [start, start + length) of the ranking's head arena.
 */
export interface CandidateHead {
  start: number;
  length: number;
  /** Context nodes consulted to build it (the chain and the root). */
  activated: number;
}

/** Ranking states of a context's children. */
const RANKED_ALL = 1;
const RANKED_PREFIX = 2;
/** Children ranked on a first visit: the candidates taken plus room for ones owned by longer contexts. */
const RANKED_PREFIX_SIZE = 2 * PER_CONTEXT_CANDIDATES;

/** States whose candidate heads are kept; the whole set is dropped when full. */
const KEPT_HEADS = 20_000;
/**
 * Entries of the head arena (12 bytes each, ~24 MB, the size the kept heads reached as separate
 * arrays). Heads live in one arena because allocating two small typed arrays per new state cost
 * more than building the head.
 */
const HEAD_ARENA = 1 << 21;

/**
 * Continuations of each context ranked by probability, ranked lazily when the explicit-score path
 * first consults a context (the default path never needs them) and kept; also the kept candidate
 * heads and the sampler's scratch, so a generation allocates almost nothing per token.
 */
export class ContinuationRanking {
  /**
   * Ranked runs of the contexts the explicit-score path visited (only contexts with more children
   * than a head takes are ranked): positions of the context's children, most probable first, and
   * how much of the run is ranked. Kept per visited context rather than one array over every node,
   * so a model that samples little holds little, and a first sample allocates no model-sized array.
   */
  private readonly runs = new Map<number, { positions: Int32Array; status: number }>();
  private runBytes = 0;
  private unigrams: Int32Array | null = null;
  /**
   * Scratch for the explicit-score sampler (sample-candidates.ts): per word, the generation it was stamped in and the
   * stamping depth. Made by its first use: the natural sampler (the product's default) never reads them, and for
   * Brown's 52,256 words they are 0.26 MB.
   */
  private ownerStampCache: Int32Array | null = null;
  private ownerDepthCache: Uint8Array | null = null;
  stampGeneration = 0;

  constructor(private readonly graph: QueryGraph) {}

  get ownerStamp(): Int32Array {
    this.ownerStampCache ??= new Int32Array(this.graph.vocabularySize);
    return this.ownerStampCache;
  }

  get ownerDepth(): Uint8Array {
    this.ownerDepthCache ??= new Uint8Array(this.graph.vocabularySize);
    return this.ownerDepthCache;
  }

  /** Candidate heads of recently sampled states (explicit-score path), built with `headSize`. */
  private readonly heads = new Map<number, CandidateHead>();
  private headSize = PER_CONTEXT_CANDIDATES;
  headWords = new Int32Array(0);
  headLogProb = new Float64Array(0);
  private headUsed = 0;

  /**
   * The kept head of `state` if it was built with `perContext` candidates per context. Heads of
   * another size are dropped: a top-k above the default asks for longer heads, and keeping one
   * size at a time lets a run of such generations reuse its heads too.
   */
  headOf(state: number, perContext: number): CandidateHead | undefined {
    if (perContext !== this.headSize) {
      this.heads.clear();
      this.headUsed = 0;
      this.headSize = perContext;
    }
    return this.heads.get(state);
  }

  /** Copies a head (entries `order[0..length)` of `words`/`logProb`) into the arena and keeps it. */
  keepHead(
    state: number,
    words: Int32Array,
    logProb: Float64Array,
    order: Int32Array,
    length: number,
    activated: number,
  ): CandidateHead {
    if (this.headUsed + length > this.headWords.length && this.headWords.length < HEAD_ARENA) {
      // The arena grows by doubling, so a model that generates little holds little.
      const size = Math.max(Math.min(HEAD_ARENA, 2 * this.headWords.length), 4096, length);
      const words = new Int32Array(size);
      const logProb = new Float64Array(size);
      words.set(this.headWords.subarray(0, this.headUsed));
      logProb.set(this.headLogProb.subarray(0, this.headUsed));
      this.headWords = words;
      this.headLogProb = logProb;
    }
    if (this.heads.size >= KEPT_HEADS || this.headUsed + length > this.headWords.length) {
      // Dropping every kept head at once invalidates no head in use: a sampler reads its head
      // before it builds the next one.
      this.heads.clear();
      this.headUsed = 0;
      if (length > this.headWords.length) {
        this.headWords = new Int32Array(length);
        this.headLogProb = new Float64Array(length);
      }
    }
    const start = this.headUsed;
    const headWords = this.headWords;
    const headLogProb = this.headLogProb;
    for (let i = 0; i < length; i++) {
      headWords[start + i] = words[order[i]];
      headLogProb[start + i] = logProb[order[i]];
    }
    this.headUsed += length;
    const head: CandidateHead = { start, length, activated };
    this.heads.set(state, head);
    return head;
  }

  private scratchCapacity = 0;
  /** Per-draw scratch of the sampler, shared by all generations (they never interleave). */
  scratchWords = new Int32Array(0);
  scratchScore = new Float64Array(0);
  scratchWeight = new Float64Array(0);
  scratchHeap = new Int32Array(0);

  reserveScratch(capacity: number): void {
    if (capacity <= this.scratchCapacity) return;
    this.scratchCapacity = capacity;
    this.scratchWords = new Int32Array(capacity);
    this.scratchScore = new Float64Array(capacity);
    this.scratchWeight = new Float64Array(capacity);
    this.scratchHeap = new Int32Array(capacity);
  }

  /** Typed-array bytes held. */
  get byteLength(): number {
    return (
      this.headWords.byteLength +
      this.headLogProb.byteLength +
      this.scratchCapacity * 24 +
      this.runBytes +
      (this.ownerStampCache?.byteLength ?? 0) +
      (this.ownerDepthCache?.byteLength ?? 0) +
      (this.unigrams?.byteLength ?? 0) +
      (this.unigramHead?.byteLength ?? 0) +
      (this.drawTableCache?.byteLength ?? 0)
    );
  }

  private drawTableCache: DrawTables | null = null;

  /** The natural sampler's kept draw lists (draw-tables.ts), created by its first draw. */
  drawTables(): DrawTables {
    this.drawTableCache ??= new DrawTables(this.graph);
    return this.drawTableCache;
  }

  /** The ranked run of `context` (positions of its children, best first) after rank(context, …). */
  rankedRun(context: number): Int32Array {
    const run = this.runs.get(context);
    if (run === undefined) throw new Error(`context ${context} has not been ranked`);
    return run.positions;
  }

  /**
   * Ranks the children of `context` (most probable first) into its ranked run (rankedRun) —
   * positions, not copies — and returns how many leading ones are ranked: at least `needed` (or
   * all). A first visit usually needs only the few best, so those are selected in linear time and
   * only they are sorted; the prefix equals that of a full sort because the order (probability,
   * then node) has no ties.
   */
  rank(context: number, needed: number): number {
    const from = this.graph.childFrom(context);
    const to = this.graph.childTo(context);
    const size = to - from;
    let entry = this.runs.get(context);
    if (entry?.status === RANKED_ALL) return size;
    if (entry?.status === RANKED_PREFIX && needed <= RANKED_PREFIX_SIZE) return RANKED_PREFIX_SIZE;
    if (entry === undefined) {
      entry = { positions: new Int32Array(size), status: 0 };
      this.runs.set(context, entry);
      this.runBytes += entry.positions.byteLength;
    }
    const run = entry.positions;
    for (let x = from; x < to; x++) run[x - from] = x;
    const prob = this.graph.probCode;
    if (needed <= RANKED_PREFIX_SIZE && size > 2 * RANKED_PREFIX_SIZE) {
      selectBestByKey(run, prob, RANKED_PREFIX_SIZE);
      sortByDescendingKey(run, prob, RANKED_PREFIX_SIZE);
      entry.status = RANKED_PREFIX;
      return RANKED_PREFIX_SIZE;
    }
    sortByDescendingKey(run, prob);
    entry.status = RANKED_ALL;
    return size;
  }

  /**
   * The `size` most probable children of `context` (it must have more), best first, as
   * contiguous copies of their words and probability codes: what the natural sampler reads for a
   * large run on every draw, where reading them through the ranked positions touched `size`
   * scattered places of a run of thousands.
   */
  topRun(context: number, size: number): { words: Int32Array; codes: Uint8Array } {
    let top = this.topRuns.get(context);
    if (top === undefined || top.words.length !== size) {
      // Selected, then only the selected sorted (as rank does for its prefix): the run's full
      // ranking is not needed, nor kept.
      const from = this.graph.childFrom(context);
      const to = this.graph.childTo(context);
      if (this.topScratch.length < to - from) this.topScratch = new Int32Array(to - from);
      const positions = this.topScratch.subarray(0, to - from);
      for (let x = from; x < to; x++) positions[x - from] = x;
      selectBestByKey(positions, this.graph.probCode, size);
      sortByDescendingKey(positions, this.graph.probCode, size);
      const words = new Int32Array(size);
      const codes = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        words[i] = this.graph.word[positions[i]];
        codes[i] = this.graph.probCode[positions[i]];
      }
      if (top !== undefined) this.runBytes -= top.words.byteLength + top.codes.byteLength;
      top = { words, codes };
      this.topRuns.set(context, top);
      this.runBytes += words.byteLength + codes.byteLength;
    }
    return top;
  }

  private readonly topRuns = new Map<number, { words: Int32Array; codes: Uint8Array }>();
  /** Positions of one run while its top is selected (the largest run seen so far). */
  private topScratch = new Int32Array(0);

  /** Real words (no reserved ids) by descending unigram probability. */
  topUnigrams(): Int32Array {
    if (this.unigrams === null) {
      const first = EOS_ID + 1;
      const ids = new Int32Array(Math.max(0, this.graph.vocabularySize - first));
      for (let i = 0; i < ids.length; i++) ids[i] = first + i;
      sortByDescendingKey(ids, this.graph.unigramProb);
      this.unigrams = ids;
    }
    return this.unigrams;
  }

  private unigramHead: Int32Array | null = null;

  /**
   * The first `count` of topUnigrams' order (all when there are fewer), kept for one count at a time: what the natural
   * sampler draws the root from. Selected without ordering every word, so a model whose samplers never ask for the
   * whole order holds 1 KB here instead of 4 bytes a word (0.2 MB for Brown).
   */
  topUnigramHead(count: number): Int32Array {
    const first = EOS_ID + 1;
    const length = Math.max(0, Math.min(count, this.graph.vocabularySize - first));
    if (this.unigramHead?.length === length) return this.unigramHead;
    let head: Int32Array;
    if (this.unigrams !== null) head = this.unigrams.slice(0, length);
    else {
      // A bounded insertion sort in sortByDescendingKey's order (descending probability, equal ones by ascending id):
      // ids are ranked by frequency, so after the first few hundred almost none gets in.
      const prob = this.graph.unigramProb;
      head = new Int32Array(length);
      let filled = 0;
      for (let id = first; id < this.graph.vocabularySize && length > 0; id++) {
        const p = prob[id];
        if (filled === length && !(p > prob[head[length - 1]])) continue;
        let at = filled < length ? filled++ : length - 1;
        while (at > 0 && p > prob[head[at - 1]]) {
          head[at] = head[at - 1];
          at--;
        }
        head[at] = id;
      }
    }
    this.unigramHead = head;
    return head;
  }
}
