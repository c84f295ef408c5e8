// Explicit-score sampling (`sampling: 'exact'` with temperature, top-k, top-p, a repetition
// penalty or steering): a candidate set scored with p(w|h) and sampled from the adjusted scores.
// The set is the head of the distribution: exact for top-k, and for temperature/top-p it leaves
// out words outside the PER_CONTEXT_CANDIDATES most probable of each context on the chain.

import type { GenerationSource, Settings } from './generate.js';
import { ROOT } from './graph.js';
import { PER_CONTEXT_CANDIDATES, type CandidateHead, type ContinuationRanking } from './ranking.js';
import type { Random } from './random.js';
import { firstWord, meanVector, promptSimilarity, STEER_STRENGTH } from './sample-exact.js';
import { sortByDescendingKey } from './typed-sort.js';
import { BOS_ID, EOS_ID, UNK_ID } from './types.js';

// Local copies: hot loops compare against these for every candidate.
const UNK = UNK_ID;
const BOS = BOS_ID;
const EOS = EOS_ID;

/** Continuation runs up to this size are stamped word by word to test ownership. */
const STAMPED_RUN = 512;

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
    ranking.reserveScratch(this.perContext * (source.query.order + 1) + 1);
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
    if (size === 0) return allowEnd ? EOS : firstWord(this.source.query);

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
    const graph = source.query;
    const nodeWord = graph.word;
    const ranking = this.ranking;
    const chain = this.chain;
    chain.length = 0;
    let activated = 0;
    for (let context = state; context !== ROOT; context = graph.suffixOf(context)) {
      activated++;
      if (graph.childFrom(context) < graph.childTo(context)) chain.push(context);
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
      const from = graph.childFrom(context);
      const to = graph.childTo(context);
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
        if (graph.findChild(chain[large[i]], w) >= 0) return true;
      return false;
    };
    let multiplier = 1;
    for (let depth = 0; depth < chain.length; depth++) {
      const context = chain[depth];
      const from = graph.childFrom(context);
      const to = graph.childTo(context);
      if (to - from <= perContext) {
        // Every continuation fits: no ranking needed.
        for (let x = from; x < to; x++) {
          const w = nodeWord[x];
          if (!ownedByLonger(w, depth)) consider(w, multiplier * graph.prob(x));
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
          consider(w, multiplier * graph.prob(x));
          taken++;
        }
      }
      multiplier *= graph.backoff(context);
    }
    const top = ranking.topUnigrams();
    let taken = 0;
    for (let r = 0; r < top.length && taken < perContext; r++) {
      const w = top[r];
      if (ownedByLonger(w, chain.length)) continue;
      consider(w, multiplier * graph.prob(w));
      taken++;
    }
    if (!ownedByLonger(EOS, chain.length)) consider(EOS, multiplier * graph.prob(EOS));
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
