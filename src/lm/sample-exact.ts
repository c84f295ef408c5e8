// Exact sampling (`sampling: 'exact'`, what `ultra generate --exact` and the evaluation use):
// p(w|h) = (1 − γ(h))·disc(w|h) + γ(h)·p(w|h′) is a mixture, so with probability 1 − γ(h) we pick
// one of h's continuations by its discounted count (binary search in `cumulative`), and otherwise
// move to h′ and repeat; at the root the mixture is unigram-by-discounted-count or uniform.
//
// Temperature, top-k, top-p, repetition penalty and steering need explicit scores: those score a
// candidate set with exact p(w|h) and sample from the adjusted scores. The set is the head of the
// distribution (see CandidateSampler): exact for top-k, and for temperature/top-p it leaves out
// words outside the PER_CONTEXT_CANDIDATES most probable of each context on the chain.

import type { GenerationSource, Settings } from './generate.js';
import { ROOT, findChild, type PatternGraph } from './graph.js';
import type { ModelCore } from './query.js';
import type { Random } from './random.js';
import { selectBestByKey, sortByDescendingKey } from './typed-sort.js';
import { BOS_ID, EOS_ID, UNK_ID } from './types.js';

// Local copies: hot loops compare against these for every candidate.
const UNK = UNK_ID;
const BOS = BOS_ID;
const EOS = EOS_ID;

/** Candidates taken from each context (and from the unigrams) on the explicit-score path. */
const PER_CONTEXT_CANDIDATES = 32;
/** Continuation runs up to this size are stamped word by word to test ownership. */
const STAMPED_RUN = 512;
/** Log-probability bonus at steer = 1 for a candidate whose vector matches the prompt's exactly. */
export const STEER_STRENGTH = 4;
/** Attempts at avoiding an immediate </s> before the first word. */
const FIRST_WORD_ATTEMPTS = 64;

/** First index in [from, to) whose running share exceeds u (the last one if rounding left none). */
function searchCumulative(cumulative: Float32Array, from: number, to: number, u: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Where sampleMixture puts its second result. */
export const mixtureDraw = { state: ROOT };

/**
 * One word drawn exactly from p(·|state), excluding <unk> (and </s> when !allowEnd, if possible).
 * Also leaves the state after that word in `mixtureDraw.state`: the sampled node itself unless a
 * longer context that was passed over (with probability γ) also continues with the word.
 */
export function sampleMixture(
  core: ModelCore,
  cumulative: Float32Array,
  state: number,
  random: Random,
  allowEnd: boolean,
  activation: { count: number },
): number {
  const graph = core.graph;
  const { backoff, rootBackoff } = core.estimate;
  const { childStart, suffix, word: words } = graph;
  const vocabularySize = graph.vocabularySize;
  for (let attempt = 0; ; attempt++) {
    let context = state;
    let word: number;
    let node: number;
    for (;;) {
      activation.count++;
      if (context === ROOT) {
        const u = random.next();
        if (u < 1 - rootBackoff) {
          word = searchCumulative(cumulative, 0, vocabularySize, u);
        } else {
          // Uniform over the vocabulary without <s>.
          const pick = Math.floor(random.next() * (vocabularySize - 1));
          word = pick < BOS ? pick : pick + 1;
        }
        node = word;
        break;
      }
      const from = childStart[context];
      const to = childStart[context + 1];
      if (from < to) {
        const u = random.next();
        if (u < 1 - backoff[context]) {
          node = searchCumulative(cumulative, from, to, u);
          word = words[node];
          break;
        }
      }
      context = suffix[context];
    }
    if (word === UNK || word === BOS) continue;
    if (word === EOS && !allowEnd && attempt < FIRST_WORD_ATTEMPTS) continue;
    if (word === EOS && !allowEnd) {
      word = firstWord(graph);
      node = word;
      context = ROOT;
    }
    for (let longer = state; longer !== context; longer = suffix[longer]) {
      const found = findChild(graph, longer, word);
      if (found >= 0) {
        node = found;
        break;
      }
    }
    mixtureDraw.state = graph.order === 1 ? ROOT : node >= graph.offsets[graph.order - 1] ? suffix[node] : node;
    return word;
  }
}

/** The most frequent real word: the fallback that keeps a generation from being empty. */
function firstWord(graph: PatternGraph): number {
  return graph.vocabularySize > EOS_ID + 1 ? EOS_ID + 1 : EOS_ID;
}

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
  /** Scratch for the sampler: per word, the generation it was stamped in and the stamping depth. */
  readonly ownerStamp: Int32Array;
  readonly ownerDepth: Uint8Array;
  stampGeneration = 0;

  constructor(private readonly core: ModelCore) {
    const { vocabularySize } = core.graph;
    this.ownerStamp = new Int32Array(vocabularySize);
    this.ownerDepth = new Uint8Array(vocabularySize);
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
      this.ownerStamp.byteLength +
      this.ownerDepth.byteLength +
      (this.unigrams?.byteLength ?? 0)
    );
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
    const { childStart } = this.core.graph;
    const from = childStart[context];
    const to = childStart[context + 1];
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
    const prob = this.core.estimate.prob;
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

  /** Real words (no reserved ids) by descending unigram probability. */
  topUnigrams(): Int32Array {
    if (this.unigrams === null) {
      const first = EOS_ID + 1;
      const ids = new Int32Array(Math.max(0, this.core.graph.vocabularySize - first));
      for (let i = 0; i < ids.length; i++) ids[i] = first + i;
      sortByDescendingKey(ids, this.core.estimate.prob);
      this.unigrams = ids;
    }
    return this.unigrams;
  }
}

/**
 * Explicit-score sampling. A word's probability is owned by the longest context on the chain that
 * has it as a continuation: p(w|h) = Π γ(longer contexts) · P(owner w). Within one owner, words
 * rank by P(owner w), so taking from each context its most probable owned words (`perContext`,
 * at least topK) and the most probable unigram-only words gives exactly the top-k of the whole
 * vocabulary; temperature and top-p see that same head of the distribution.
 */
export class CandidateSampler {
  private readonly source: GenerationSource;
  private readonly settings: Settings;
  private readonly perContext: number;
  private readonly ranking: ContinuationRanking;
  private readonly words: Int32Array;
  private readonly score: Float64Array;
  private readonly weight: Float64Array;
  private readonly heap: Int32Array;
  private readonly seen = new Set<number>();
  private readonly similarity = new Map<number, number>();
  private readonly promptVector: Float32Array | null;
  private readonly chain: number[] = [];
  private readonly largeContexts: number[] = [];
  private readonly logPenalty: number;

  constructor(source: GenerationSource, settings: Settings, promptIds: number[], promptTokens: string[]) {
    this.source = source;
    this.settings = settings;
    this.perContext = Math.max(PER_CONTEXT_CANDIDATES, settings.topK);
    const ranking = source.ranking();
    this.ranking = ranking;
    ranking.reserveScratch(this.perContext * (source.graph.order + 1) + 1);
    this.words = ranking.scratchWords;
    this.score = ranking.scratchScore;
    this.weight = ranking.scratchWeight;
    this.heap = ranking.scratchHeap;
    for (const id of promptIds) this.seen.add(id);
    this.logPenalty = Math.log(settings.repetitionPenalty);
    this.promptVector = settings.steer > 0 ? meanVector(promptTokens.map((token) => source.vectorOf(token))) : null;
  }

  saw(word: number): void {
    this.seen.add(word);
  }

  sample(state: number, random: Random, allowEnd: boolean, activation: { count: number }): number {
    const head = this.headOf(state);
    activation.count += head.activated;
    const words = this.words;
    const score = this.score;
    const { temperature, topK, topP, steer } = this.settings;
    const logPenalty = this.logPenalty;
    const headWords = this.ranking.headWords;
    const headLogProb = this.ranking.headLogProb;
    let size = 0;
    let best = -Infinity;
    for (let i = head.start; i < head.start + head.length; i++) {
      const w = headWords[i];
      if (w === EOS && !allowEnd) continue;
      let s = headLogProb[i];
      if (logPenalty > 0 && w !== EOS && this.seen.has(w)) s -= logPenalty;
      if (steer > 0 && w !== EOS) s += steer * STEER_STRENGTH * this.similarityOf(w);
      s /= temperature;
      words[size] = w;
      score[size] = s;
      size++;
      if (s > best) best = s;
    }
    if (size === 0) return allowEnd ? EOS : firstWord(this.source.graph);

    const weight = this.weight;
    let total = 0;
    for (let i = 0; i < size; i++) {
      weight[i] = Math.exp(score[i] - best);
      total += weight[i];
    }

    // Restrict to the top-k and/or the nucleus. The head is sorted by probability, and temperature
    // keeps that order, so without a penalty or steering the best words are a prefix; otherwise
    // they are popped from a max-heap of scores.
    // The chosen entries are heap[chosenFrom, chosenFrom + chosenCount), or all when chosenFrom < 0.
    let chosenCount = size;
    let chosenFrom = -1;
    const heap = this.heap;
    if ((topK > 0 && topK < size) || topP < 1) {
      const limit = topK > 0 ? Math.min(topK, size) : size;
      let mass = 0;
      let popped = 0;
      if (logPenalty === 0 && steer === 0) {
        while (popped < limit) {
          heap[popped] = popped;
          mass += weight[popped] / total;
          popped++;
          if (mass >= topP) break;
        }
        chosenFrom = 0;
      } else {
        for (let i = 0; i < size; i++) heap[i] = i;
        let heapSize = size;
        for (let i = (heapSize >> 1) - 1; i >= 0; i--) siftDown(heap, score, heapSize, i);
        // Popped entries move to the end of the heap array.
        while (popped < limit && heapSize > 0) {
          const top = heap[0];
          heapSize--;
          heap[0] = heap[heapSize];
          heap[heapSize] = top;
          siftDown(heap, score, heapSize, 0);
          popped++;
          mass += weight[top] / total;
          if (mass >= topP) break;
        }
        chosenFrom = size - popped;
      }
      chosenCount = popped;
    }

    let sum = 0;
    for (let i = 0; i < chosenCount; i++) sum += weight[chosenFrom >= 0 ? heap[chosenFrom + i] : i];
    let u = random.next() * sum;
    let pick = chosenFrom >= 0 ? heap[chosenFrom + chosenCount - 1] : size - 1;
    for (let i = 0; i < chosenCount; i++) {
      const index = chosenFrom >= 0 ? heap[chosenFrom + i] : i;
      u -= weight[index];
      if (u < 0) {
        pick = index;
        break;
      }
    }
    return words[pick];
  }

  /**
   * The head of p(·|state): candidate words with their exact log-probabilities, most probable
   * first. It depends only on the state (and the per-context size), so the model's ranking keeps
   * it for the next generation that passes through the same state.
   */
  private headOf(state: number): CandidateHead {
    return this.ranking.headOf(state, this.perContext) ?? this.buildHead(state);
  }

  private buildHead(state: number): CandidateHead {
    const source = this.source;
    const graph = source.graph;
    const { childStart, suffix, word: nodeWord } = graph;
    const { prob, backoff } = source.estimate;
    const ranking = this.ranking;
    const chain = this.chain;
    chain.length = 0;
    let activated = 0;
    for (let context = state; context !== ROOT; context = suffix[context]) {
      activated++;
      if (childStart[context] < childStart[context + 1]) chain.push(context);
    }
    activated++; // the root

    const perContext = this.perContext;
    // Candidates go to the sampler's scratch arrays (its capacity bounds a head), then are copied
    // in ranked order into the kept head.
    const foundWords = this.words;
    const foundLogProb = this.score;
    let found = 0;
    const consider = (w: number, p: number) => {
      if (w === UNK || w === BOS || p <= 0) return;
      foundWords[found] = w;
      foundLogProb[found] = Math.log(p);
      found++;
    };
    // Which longer context owns a word: small runs are stamped word by word (cheap), large ones
    // (a frequent one-word context) are binary-searched only when asked.
    const stamp = ++ranking.stampGeneration;
    const { ownerStamp, ownerDepth } = ranking;
    const large = this.largeContexts;
    large.length = 0;
    for (let depth = 0; depth < chain.length; depth++) {
      const context = chain[depth];
      const from = childStart[context];
      const to = childStart[context + 1];
      if (to - from > STAMPED_RUN) {
        large.push(depth);
        continue;
      }
      for (let x = from; x < to; x++) {
        const w = nodeWord[x];
        if (ownerStamp[w] !== stamp) {
          ownerStamp[w] = stamp;
          ownerDepth[w] = depth;
        }
      }
    }
    const ownedByLonger = (w: number, depth: number) => {
      if (ownerStamp[w] === stamp && ownerDepth[w] < depth) return true;
      for (let i = 0; i < large.length && large[i] < depth; i++)
        if (findChild(graph, chain[large[i]], w) >= 0) return true;
      return false;
    };
    let multiplier = 1;
    for (let depth = 0; depth < chain.length; depth++) {
      const context = chain[depth];
      const from = childStart[context];
      const to = childStart[context + 1];
      if (to - from <= perContext) {
        // Every continuation fits: no ranking needed.
        for (let x = from; x < to; x++) {
          const w = nodeWord[x];
          if (!ownedByLonger(w, depth)) consider(w, multiplier * prob[x]);
        }
      } else {
        let rankedEnd = from + ranking.rank(context, perContext);
        const ranked = ranking.rankedRun(context);
        let taken = 0;
        for (let r = from; r < to && taken < perContext; r++) {
          if (r === rankedEnd) rankedEnd = from + ranking.rank(context, to - from);
          const x = ranked[r - from];
          const w = nodeWord[x];
          if (ownedByLonger(w, depth)) continue;
          consider(w, multiplier * prob[x]);
          taken++;
        }
      }
      multiplier *= backoff[context];
    }
    const top = ranking.topUnigrams();
    let taken = 0;
    for (let r = 0; r < top.length && taken < perContext; r++) {
      const w = top[r];
      if (ownedByLonger(w, chain.length)) continue;
      consider(w, multiplier * prob[w]);
      taken++;
    }
    if (!ownedByLonger(EOS, chain.length)) consider(EOS, multiplier * prob[EOS]);
    // Most probable first; equal probabilities keep the order they were found in.
    const order = this.heap;
    for (let i = 0; i < found; i++) order[i] = i;
    sortByDescendingKey(order, foundLogProb, found);
    return ranking.keepHead(state, foundWords, foundLogProb, order, found, activated);
  }

  private similarityOf(word: number): number {
    return promptSimilarity(this.source, this.similarity, this.promptVector, word);
  }
}

function siftDown(heap: Int32Array, score: Float64Array, heapSize: number, start: number): void {
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let largest = i;
    if (l < heapSize && score[heap[l]] > score[heap[largest]]) largest = l;
    if (r < heapSize && score[heap[r]] > score[heap[largest]]) largest = r;
    if (largest === i) return;
    const t = heap[i];
    heap[i] = heap[largest];
    heap[largest] = t;
    i = largest;
  }
}

export function meanVector(vectors: (Float32Array | null)[]): Float32Array | null {
  let sum: Float32Array | null = null;
  for (const vector of vectors) {
    if (vector === null) continue;
    sum ??= new Float32Array(vector.length);
    for (let d = 0; d < vector.length; d++) sum[d] += vector[d];
  }
  return sum;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Cosine of a word's vector with the prompt's, cached per generation in `cache` (0 without vectors). */
export function promptSimilarity(
  source: GenerationSource,
  cache: Map<number, number>,
  promptVector: Float32Array | null,
  word: number,
): number {
  let value = cache.get(word);
  if (value === undefined) {
    const row = source.rowVector(word);
    value = row !== null && promptVector !== null ? cosine(row, promptVector) : 0;
    cache.set(word, value);
  }
  return value;
}
