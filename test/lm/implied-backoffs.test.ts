// The implied backoffs of the model image (src/lm/image/implied-backoffs.ts): a context whose γ is
// its level's most common among single contexts stores no code.
import { describe, expect, it } from 'vitest';
import type { PatternGraph } from '../../src/lm/graph.js';
import { impliedBackoffsOf } from '../../src/lm/image/implied-backoffs.js';
import { decodeImage, encodeImage, train } from '../../src/lm/index.js';
import { lines, randomSentences } from './corpus-fixtures.js';

describe('implied backoffs', () => {
  it("marks the contexts whose γ is their level's implied one and reads every γ back (implied exact to float32, coded within the bound)", () => {
    for (const maxPatterns of [undefined, 3000]) {
      const exact = train(lines(randomSentences(5, 500, 200, 10)), {
        maxPatternLength: 5,
        embeddingDim: 0,
        ...(maxPatterns === undefined ? {} : { maxPatterns }),
      });
      const q = decodeImage(encodeImage(exact, 'p')).query;
      const { offsets, vocabularySize } = q;
      const { backoff } = exact.estimate;
      const childStart = exact.graph.childStart;
      let implied = 0;
      let singles = 0;
      for (let k = 1; k < q.order - 1; k++) {
        // The level's most common γ among its contexts with a single continuation.
        const times = new Map<number, number>();
        for (let context = offsets[k]; context < offsets[k + 1]; context++)
          if (childStart[context + 1] - childStart[context] === 1)
            times.set(backoff[context], (times.get(backoff[context]) ?? 0) + 1);
        const mode = [...times].reduce((best, entry) => (entry[1] > best[1] ? entry : best), [Number.NaN, 0])[0];
        expect(q.impliedBackoff[k - 1]).toBe(Number.isNaN(mode) ? 1 : Math.fround(mode));
        for (let context = offsets[k]; context < offsets[k + 1]; context++) {
          const marked = q.backoffImplied.has(context - vocabularySize);
          // Marked exactly when γ is the level's implied value.
          expect(marked).toBe(backoff[context] === mode);
          if (marked) {
            implied++;
            expect(q.backoff(context)).toBe(Math.fround(backoff[context]));
          } else {
            expect(Math.abs(Math.log(q.backoff(context)) - Math.log(backoff[context]))).toBeLessThanOrEqual(
              q.logErrorBound,
            );
          }
          if (childStart[context + 1] - childStart[context] === 1) singles++;
        }
      }
      // Most single contexts share their level's γ, and none of those keeps a code.
      expect(implied).toBeGreaterThan(singles / 2);
      expect(q.backoffCode.length).toBe(offsets[q.order - 1] - vocabularySize - implied);
      // The unigrams keep their float γ.
      for (let w = 0; w < vocabularySize; w++) expect(q.backoff(w)).toBe(Math.fround(backoff[w]));
    }
  });

  it('takes as implied the γ that first reaches the largest count among single contexts, in runs or not', () => {
    // One unigram whose children are the bigram contexts 1..n, each with a single continuation.
    const modeOf = (values: number[]) => {
      const n = values.length;
      const childStart = Int32Array.from({ length: n + 2 }, (_, i) => (i === 0 ? 1 : n + i - 1));
      const graph = { order: 3, vocabularySize: 1, offsets: Int32Array.of(0, 1, 1 + n, 1 + 2 * n), childStart };
      const backoff = new Float64Array(1 + 2 * n);
      backoff.set(values, 1);
      return impliedBackoffsOf(graph as unknown as PatternGraph, backoff).impliedBackoff[0];
    };
    // 0.5 is seen first, but 0.25 reaches two first.
    expect(modeOf([0.5, 0.25, 0.25, 0.5])).toBe(0.25);
    expect(modeOf([0.25, 0.5, 0.5, 0.25, 0.25, 0.5])).toBe(0.25);
    expect(modeOf([0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.125])).toBe(0.125);
    expect(modeOf([0.5, 0.25, 0.5, 0.25])).toBe(0.5);
  });
});
