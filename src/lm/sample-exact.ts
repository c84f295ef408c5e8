// Exact sampling (`sampling: 'exact'`, what `ultra generate --exact` and the evaluation use):
// p(w|h) = (1 − γ(h))·disc(w|h) + γ(h)·p(w|h′) is a mixture, so with probability 1 − γ(h) we pick
// one of h's continuations by its discounted count, and otherwise move to h′ and repeat; at the
// root the mixture is unigram-by-discounted-count or uniform. The query graph keeps each
// continuation's share as an 8-bit code per order with running sums every 16 nodes
// (run-shares.ts; the unigrams' running shares as 32-bit floats): a continuation is drawn with
// its stored share, normalized over its run.
//
// Temperature, top-k, top-p, repetition penalty and steering need explicit scores: those are
// sample-candidates.ts. This file also holds the prompt-steering helpers both samplers use.

import { ROOT } from './graph.js';
import type { GenerationSource } from './generate.js';
import type { QueryGraph } from './query-graph.js';
import type { Random } from './random.js';
import { BOS_ID, EOS_ID, UNK_ID } from './types.js';

// Local copies: hot loops compare against these for every candidate.
const UNK = UNK_ID;
const BOS = BOS_ID;
const EOS = EOS_ID;

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
  graph: QueryGraph,
  state: number,
  random: Random,
  allowEnd: boolean,
  activation: { count: number },
): number {
  const { unigramCumulative, rootBackoff, word: words, vocabularySize } = graph;
  for (let attempt = 0; ; attempt++) {
    let context = state;
    let word: number;
    let node: number;
    for (;;) {
      activation.count++;
      if (context === ROOT) {
        const u = random.next();
        if (u < 1 - rootBackoff) {
          word = searchCumulative(unigramCumulative, 0, vocabularySize, u);
        } else {
          // Uniform over the vocabulary without <s>.
          const pick = Math.floor(random.next() * (vocabularySize - 1));
          word = pick < BOS ? pick : pick + 1;
        }
        node = word;
        break;
      }
      const from = graph.childFrom(context);
      const to = graph.childTo(context);
      if (from < to) {
        const u = random.next();
        const keep = 1 - graph.backoff(context);
        if (u < keep) {
          node = graph.drawChild(context, from, to, u / keep);
          word = words[node];
          break;
        }
      }
      context = graph.suffixOf(context);
    }
    if (word === UNK || word === BOS) continue;
    if (word === EOS && !allowEnd && attempt < FIRST_WORD_ATTEMPTS) continue;
    if (word === EOS && !allowEnd) {
      word = firstWord(graph);
      node = word;
      context = ROOT;
    }
    let parent = context;
    for (let longer = state; longer !== context; longer = graph.suffixOf(longer)) {
      const found = graph.findChild(longer, word);
      if (found >= 0) {
        node = found;
        parent = longer;
        break;
      }
    }
    mixtureDraw.state = graph.stateAfter(parent, node);
    return word;
  }
}

/** The most frequent real word: the fallback that keeps a generation from being empty. */
export function firstWord(graph: { vocabularySize: number }): number {
  return graph.vocabularySize > EOS_ID + 1 ? EOS_ID + 1 : EOS_ID;
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
