// What users get from /generate and from the sample after /train when they set nothing.
// src/lm samples exactly from the model by default (temperature 1), which is right for
// evaluation but reads as word salad on the small corpora servers upload: interpolated
// Kneser-Ney gives unseen continuations much of the mass (a context seen once backs off about
// half the time). A temperature of 0.7 with a 0.95 nucleus keeps the text fluent and still
// varied; measured on data/samples with `ultra generate --temperature … --top-p …`.
import type { GenerateOptions } from '../lm/types.js';

export const GENERATION_DEFAULTS = { temperature: 0.7, topP: 0.95 } as const satisfies GenerateOptions;

/** The caller's options over the product defaults; an option left undefined keeps its default. */
export function withGenerationDefaults(options: GenerateOptions): GenerateOptions {
  const merged: GenerateOptions = { ...GENERATION_DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof GenerateOptions, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
