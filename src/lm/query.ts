// Walking the pattern graph to score a word. A "state" is the node of the longest stored suffix of
// the history (never a highest-order node: those cannot be extended, so their suffix is used).
// Scoring word w from state h consults only h, suffix(h), suffix(suffix(h))…, stopping at the first
// that has w as a continuation: p = γ(h)·γ(suffix(h))·…·p(found). This is KenLM's backoff query,
// and equals the interpolated formula because stored probabilities are already interpolated.
//
// Two representations answer it: the exact arrays of a trained or decoded model (ExactScorer,
// below: `ultra eval`, the held-out perplexity), and the query graph every model generates from
// and a model image holds (query-graph.ts: quantized probabilities, packed links).

import { ROOT, findChild, type PatternGraph } from './graph.js';
import type { Interpolation } from './interpolate.js';
import type { StepResult } from './query-graph.js';
import { BOS_ID } from './types.js';

export type { StepResult } from './query-graph.js';

/** What scoring needs: a start state and a step. */
export interface Scorer {
  readonly order: number;
  /** Scores `word` after `state` and moves to the next state. `word` must be a vocabulary id. */
  step(state: number, word: number, out: StepResult): StepResult;
}

export function newStepResult(): StepResult {
  return { probability: 0, state: ROOT, activated: 0 };
}

/** The exact model's arrays as a Scorer. */
export class ExactScorer implements Scorer {
  readonly order: number;

  constructor(
    private readonly graph: PatternGraph,
    private readonly estimate: Interpolation,
  ) {
    this.order = graph.order;
  }

  step(state: number, word: number, out: StepResult): StepResult {
    const graph = this.graph;
    const { prob, backoff } = this.estimate;
    const topLevelStart = graph.offsets[graph.order - 1];
    let context = state;
    let weight = 1;
    let activated = 0;
    for (;;) {
      activated++;
      const child = findChild(graph, context, word);
      if (child >= 0) {
        out.probability = weight * prob[child];
        out.state = graph.order === 1 ? ROOT : child >= topLevelStart ? graph.suffix[child] : child;
        out.activated = activated;
        return out;
      }
      weight *= backoff[context];
      context = graph.suffix[context];
    }
  }
}

/** The state at the start of a sentence: after <s> (a unigram model has no history at all). */
export function sentenceStart(graph: { order: number }): number {
  return graph.order === 1 ? ROOT : BOS_ID;
}
