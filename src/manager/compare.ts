// /compare: two saved models side by side. Pure: the manager hands in the models
// (read without making either active and without touching the cache's order of eviction) and
// the evaluation text's lines; this computes the generations and the scores.
import type { Model } from '../lm/index.js';
import type { Evaluation, GenerateOptions, GenerateResult } from '../lm/types.js';
import type { SavedModelInfo } from './types.js';

export interface CompareOptions {
  prompt?: string;
  seed: number;
  maxLength?: number;
}

export interface ComparedModel {
  info: SavedModelInfo;
  generation: GenerateResult;
  /** On the attached text, when one was given. */
  evaluation: Evaluation | null;
}

export interface Comparison {
  models: [ComparedModel, ComparedModel];
  seed: number;
  prompt: string | null;
  /** The attached text's file name, when one was given. */
  fileName: string | null;
  /** Index (0/1) of the lower perplexity on the text, else on the held-out share; null: no measure or a tie. */
  better: 0 | 1 | null;
  /** What `better` is measured on. */
  measure: 'file' | 'held-out' | null;
}

export function compareModels(
  infos: [SavedModelInfo, SavedModelInfo],
  models: [Model, Model],
  options: CompareOptions,
  evaluation: { fileName: string; lines: string[] } | null,
): Comparison {
  const generate: GenerateOptions = { prompt: options.prompt, seed: options.seed, maxLength: options.maxLength };
  const compared = infos.map((info, i) => ({
    info,
    generation: models[i].generate({ ...generate }),
    // The numbers generation reads (a model image's), so a cached model and a decoded one score alike.
    evaluation: evaluation ? models[i].score(evaluation.lines, { probabilities: 'query' }) : null,
  })) as [ComparedModel, ComparedModel];
  let measure: Comparison['measure'] = null;
  let scores: [number, number] | null = null;
  if (evaluation) {
    measure = 'file';
    scores = [compared[0].evaluation!.perplexity, compared[1].evaluation!.perplexity];
  } else {
    const heldOut = infos.map((info) => info.stats.heldOutPerplexity);
    if (heldOut[0] !== null && heldOut[1] !== null) {
      measure = 'held-out';
      scores = [heldOut[0], heldOut[1]];
    }
  }
  const better =
    scores && Number.isFinite(scores[0]) && Number.isFinite(scores[1]) && scores[0] !== scores[1]
      ? scores[0] < scores[1]
        ? 0
        : 1
      : null;
  return {
    models: compared,
    seed: options.seed,
    prompt: options.prompt ?? null,
    fileName: evaluation?.fileName ?? null,
    better,
    measure,
  };
}
