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
  // Runs on every /generate: a plain loop over the own keys (Object.entries allocated a pair per
  // option), into an Object.assign copy (adding keys to a spread copy cost V8 ~2.7 µs a call,
  // this ~0.07 µs).
  const merged: Record<string, unknown> = Object.assign({}, GENERATION_DEFAULTS);
  const given = options as Record<string, unknown>;
  for (const key in given) {
    if (!Object.prototype.hasOwnProperty.call(given, key)) continue;
    const value = given[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged as GenerateOptions;
}
