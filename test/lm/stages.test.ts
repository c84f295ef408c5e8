// The estimator's stages one at a time, each against its definition computed by brute force from
// the sentences: adjusted counts (continuation counts below the highest order, raw counts at it
// and for n-grams starting with <s>, 0 for the <s> unigram) and modified Kneser-Ney discounts
// from counts-of-counts (Chen & Goodman eq. 26, lmplz's fallback when they are undefined).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustedCounts } from '../../src/lm/adjust.js';
import {
  countsOfCounts,
  discountFromCountsOfCounts,
  estimateDiscounts,
  FALLBACK_DISCOUNT,
} from '../../src/lm/discount.js';
import { levelViews } from '../../src/lm/graph.js';
import { train } from '../../src/lm/index.js';

const options = { embeddingDim: 0, splitSentences: false } as const;

/** Every stored n-gram of a model as "w1 w2 …", by global node index. */
function nodeNames(model: ReturnType<typeof train>): string[] {
  const levels = levelViews(model.graph);
  const names: string[] = [];
  const perLevel: string[][] = [];
  levels.forEach((level, k) => {
    perLevel.push([]);
    for (let i = 0; i < level.word.length; i++) {
      const word = model.vocab[level.word[i]];
      const name = k === 0 ? word : `${perLevel[k - 1][level.parent[i]]} ${word}`;
      perLevel[k].push(name);
      names.push(name);
    }
  });
  return names;
}

/** The definition of the adjusted count of each n-gram, from the sentences themselves. */
function definedAdjusted(sentences: string[][], order: number): Map<string, number> {
  const raw = new Map<string, number>();
  const predecessors = new Map<string, Set<string>>();
  for (const sentence of sentences) {
    const tokens = ['<s>', ...sentence, '</s>'];
    for (let i = 0; i < tokens.length; i++) {
      for (let n = 1; n <= order && i + n <= tokens.length; n++) {
        const key = tokens.slice(i, i + n).join(' ');
        raw.set(key, (raw.get(key) ?? 0) + 1);
        if (i > 0) {
          if (!predecessors.has(key)) predecessors.set(key, new Set());
          predecessors.get(key)!.add(tokens[i - 1]);
        }
      }
    }
  }
  const adjusted = new Map<string, number>();
  for (const [key, count] of raw) {
    const n = key.split(' ').length;
    if (key === '<s>') adjusted.set(key, 0);
    else if (n === order || key.startsWith('<s> ')) adjusted.set(key, count);
    else adjusted.set(key, predecessors.get(key)?.size ?? 0);
  }
  return adjusted;
}

const sentencesArbitrary = fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 7 }), {
  minLength: 1,
  maxLength: 12,
});

describe('stage 2: adjusted counts', () => {
  it('equals continuation counts below the highest order, raw counts at it and after <s> (hand example)', () => {
    const model = train(['a b', 'a b', 'b a'], { ...options, maxPatternLength: 3 });
    const adjusted = adjustedCounts(model.graph);
    const byName = new Map(nodeNames(model).map((name, node) => [name, adjusted[node]]));
    expect(byName.get('<s>')).toBe(0);
    expect(byName.get('a')).toBe(2); // after <s> and after b
    expect(byName.get('b')).toBe(2); // after a and after <s>
    expect(byName.get('</s>')).toBe(2); // after b and after a
    expect(byName.get('<s> a')).toBe(2); // starts with <s>: raw
    expect(byName.get('a b')).toBe(1); // only <s> precedes it
    expect(byName.get('<s> a b')).toBe(2); // highest order: raw
  });

  it('matches the definition on random corpora, at every order from 1 to 4', () => {
    fc.assert(
      fc.property(sentencesArbitrary, fc.integer({ min: 1, max: 4 }), (sentences, order) => {
        const model = train(
          sentences.map((s) => s.join(' ')),
          { ...options, maxPatternLength: order },
        );
        const adjusted = adjustedCounts(model.graph);
        const expected = definedAdjusted(sentences, order);
        const names = nodeNames(model);
        for (let node = 0; node < names.length; node++) {
          if (names[node] === '<unk>') continue; // stored for the vocabulary, never counted
          expect([names[node], adjusted[node]]).toEqual([names[node], expected.get(names[node]) ?? 0]);
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('stage 3: discounts', () => {
  it('counts how many n-grams of a range have adjusted count 1, 2, 3 and 4', () => {
    const adjusted = Uint32Array.from([9, 1, 1, 2, 3, 3, 3, 4, 5, 0, 1]);
    expect(countsOfCounts(adjusted, 1, 11)).toEqual([3, 1, 3, 1]);
    expect(countsOfCounts(adjusted, 0, 1)).toEqual([0, 0, 0, 0]);
  });

  it('follows Chen & Goodman eq. 26 and falls back as lmplz --discount_fallback does', () => {
    // t = 10, 4, 2, 1: Y = 10/18; D1 = 1 − 2Y·4/10, D2 = 2 − 3Y·2/4, D3+ = 3 − 4Y·1/2.
    const y = 10 / 18;
    const { discount, fallback } = discountFromCountsOfCounts([10, 4, 2, 1]);
    expect(fallback).toBe(false);
    expect(discount[0]).toBeCloseTo(1 - (2 * y * 4) / 10, 14);
    expect(discount[1]).toBeCloseTo(2 - (3 * y * 2) / 4, 14);
    expect(discount[2]).toBeCloseTo(3 - (4 * y * 1) / 2, 14);
    expect(discountFromCountsOfCounts([5, 2, 0, 0])).toEqual({ discount: FALLBACK_DISCOUNT, fallback: true }); // t3 = 0
    expect(discountFromCountsOfCounts([0, 2, 1, 1])).toEqual({ discount: FALLBACK_DISCOUNT, fallback: true }); // t1 = 0
    // D2 = 2 − 3Y·t3/t2 < 0 when t3 is large: out of range, so the fallback.
    expect(discountFromCountsOfCounts([1, 1, 50, 1]).fallback).toBe(true);
  });

  it('gives every order the discounts of its own level of adjusted counts, each within [0, j]', () => {
    fc.assert(
      fc.property(sentencesArbitrary, fc.integer({ min: 1, max: 4 }), (sentences, order) => {
        const model = train(
          sentences.map((s) => s.join(' ')),
          { ...options, maxPatternLength: order },
        );
        const adjusted = adjustedCounts(model.graph);
        const discounts = estimateDiscounts(adjusted, model.graph.offsets, order);
        expect(discounts).toHaveLength(order);
        for (let k = 0; k < order; k++) {
          const t = countsOfCounts(adjusted, model.graph.offsets[k], model.graph.offsets[k + 1]);
          expect(discounts[k]).toEqual(discountFromCountsOfCounts(t).discount);
          discounts[k].forEach((d, j) => {
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThanOrEqual(j + 1);
          });
        }
        expect(model.discounts).toEqual(discounts);
      }),
      { numRuns: 40, seed: 11 },
    );
  });
});
