// The backoffs γ(h) of the contexts above the unigrams, as the query graph stores them: per
// context level, the γ most common among the level's contexts with a single continuation is
// stored once (a 32-bit float), and a bit per context marks the contexts whose γ is exactly it;
// only the other contexts keep an 8-bit code (quantize.ts). With nothing pruned, γ(h) is
// Σ D(a)/Σ a over the continuations' adjusted counts a, so every context whose continuations were
// all counted once has the same γ, D₁ of its order: on Brown's order 5 that is 2.03 M of the
// 2.15 M contexts above the unigrams, whose codes took 0.65 bytes per n-gram; the bits and the
// other contexts' codes take 0.15. Their γ is also closer to the exact one than a code's (the
// float's rounding only).
//
// A context's code index is its index above the unigrams less the marked contexts before it
// (RankBits.rank), so the codes stay in context order and each level's stay contiguous.

import type { PatternGraph } from '../graph.js';
import { CODEBOOK_SIZE } from '../query-graph.js';
import { RankBits } from '../rank-bits.js';
import { quantizeRange } from './quantize.js';
import type { ProbabilityArray } from '../interpolate.js';

export interface ImpliedBackoffs {
  /** Per context above the unigrams (index context − |V|): whether its γ is its level's implied one. */
  implied: RankBits;
  /** Per context level from the bigrams: the implied γ (1 for a level without single contexts). */
  impliedBackoff: Float32Array;
  /** Per context neither a unigram nor implied, in order: its γ's code. */
  backoffCode: Uint8Array;
  /** CODEBOOK_SIZE entries per context level from the bigrams. */
  backoffTable: Float32Array;
  /** Largest |ln| error of a coded γ. */
  error: number;
}

export function impliedBackoffsOf(
  graph: Pick<PatternGraph, 'offsets' | 'order' | 'childStart' | 'vocabularySize'>,
  backoff: ProbabilityArray,
): ImpliedBackoffs {
  const { offsets, order, childStart, vocabularySize } = graph;
  const contexts = Math.max(vocabularySize, offsets[order - 1]);
  const levels = Math.max(0, order - 2);
  const impliedBackoff = new Float32Array(levels).fill(1);
  const mark = new Uint8Array(contexts - vocabularySize);
  const kept = new Float64Array(contexts - vocabularySize);
  const keptStart = new Int32Array(levels + 1);
  let keptCount = 0;
  for (let k = 1; k <= levels; k++) {
    keptStart[k - 1] = keptCount;
    // The most common γ among the level's single contexts (few distinct values: D(a)/a).
    // Counted a run of equal values at a time (they come in long runs), which picks the same
    // mode as counting one by one: the first value to reach the largest count.
    const seen = new Map<number, number>();
    let mode = Number.NaN;
    let best = 0;
    let runValue = Number.NaN;
    let run = 0;
    const endRun = () => {
      if (run === 0) return;
      const times = (seen.get(runValue) ?? 0) + run;
      seen.set(runValue, times);
      if (times > best) {
        best = times;
        mode = runValue;
      }
    };
    for (let context = offsets[k]; context < offsets[k + 1]; context++) {
      if (childStart[context + 1] - childStart[context] !== 1) continue;
      const value = backoff[context];
      if (value === runValue) run++;
      else {
        endRun();
        runValue = value;
        run = 1;
      }
    }
    endRun();
    if (best > 0) impliedBackoff[k - 1] = mode;
    for (let context = offsets[k]; context < offsets[k + 1]; context++) {
      if (backoff[context] === mode) mark[context - vocabularySize] = 1;
      else kept[keptCount++] = backoff[context];
    }
  }
  keptStart[levels] = keptCount;
  const backoffCode = new Uint8Array(keptCount);
  const backoffTable = new Float32Array(CODEBOOK_SIZE * levels);
  let error = 0;
  for (let k = 0; k < levels; k++)
    error = Math.max(
      error,
      quantizeRange(kept, keptStart[k], keptStart[k + 1], backoffCode, backoffTable, k * CODEBOOK_SIZE),
    );
  return { implied: RankBits.of(mark), impliedBackoff, backoffCode, backoffTable, error };
}
