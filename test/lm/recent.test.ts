import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentPhrases, tokenize, train } from '../../src/lm/index.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../data/samples/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
const english = train(sample('en-stories.txt'));
const spanish = train(sample('es-cuentos.txt'));

/** Distinct word pairs over all pairs of a set of texts (tokens as `ultra tokenize` makes them). */
function distinct2(texts: string[]): number {
  const seen = new Set<string>();
  let all = 0;
  for (const text of texts) {
    const tokens = tokenize(text).map((token) => token.toLowerCase());
    for (let i = 1; i < tokens.length; i++) {
      seen.add(`${tokens[i - 1]} ${tokens[i]}`);
      all++;
    }
  }
  return all > 0 ? seen.size / all : 0;
}

describe('RecentPhrases (what a model wrote lately)', () => {
  it('knows the pairs it recorded, in order, and no others', () => {
    const recent = new RecentPhrases();
    recent.record([5, 6, 7]);
    expect(recent.has(5, 6)).toBe(true);
    expect(recent.has(6, 7)).toBe(true);
    expect(recent.has(6, 5)).toBe(false);
    expect(recent.has(5, 7)).toBe(false);
    expect(recent.size).toBe(2);
    recent.record([9]);
    expect(recent.size).toBe(2);
  });

  it('forgets the oldest pairs once full', () => {
    const recent = new RecentPhrases();
    const first: [number, number][] = Array.from({ length: 200 }, (_, i) => [i, 7 * i + 1]);
    for (const [a, b] of first) recent.record([a, b]);
    for (const [a, b] of first) expect(recent.has(a, b)).toBe(true);
    // 5,000 other pairs push every one of them out (capacity 4,096).
    for (let i = 0; i < 5000; i++) recent.record([1000 + (i % 70), 2000 + Math.floor(i / 70)]);
    expect(recent.size).toBe(4096);
    let stillRecent = 0;
    for (const [a, b] of first) if (recent.has(a, b)) stillRecent++;
    // Only a slot of the hashed table that a remembered pair shares keeps one: about 4,096 of 16,384 slots are taken.
    expect(stillRecent).toBeLessThan(0.35 * first.length);
    for (let i = 4000; i < 5000; i++) expect(recent.has(1000 + (i % 70), 2000 + Math.floor(i / 70))).toBe(true);
  });
});

describe('natural generation with a memory of recent texts', () => {
  it('gives the same texts for the same seeds from the same memory, and adds each text to it', () => {
    const run = () => {
      const recent = new RecentPhrases();
      return Array.from({ length: 30 }, (_, i) => english.generate({ seed: 100 + i, recent }).text);
    };
    expect(run()).toEqual(run());
    const recent = new RecentPhrases();
    const text = english.generate({ seed: 3, recent }).text;
    expect(recent.size).toBeGreaterThanOrEqual(tokenize(text).length - 1);
  });

  it('leaves a call without a memory as it was: the same text as a call alone', () => {
    for (let seed = 0; seed < 20; seed++) {
      expect(english.generate({ seed, recent: new RecentPhrases() }).text).toBe(english.generate({ seed }).text);
    }
  });

  it('varies successive texts more than independent calls do, in English and Spanish', () => {
    for (const model of [english, spanish]) {
      const recent = new RecentPhrases();
      const alone: string[] = [];
      const successive: string[] = [];
      for (let i = 0; i < 60; i++) {
        alone.push(model.generate({ seed: 500 + i }).text);
        successive.push(model.generate({ seed: 500 + i, recent }).text);
      }
      expect(distinct2(successive)).toBeGreaterThan(distinct2(alone) + 0.05);
    }
  });

  it('never gives an empty text nor more than maxLength tokens, and keeps the prompt, whatever it remembers', () => {
    const recent = new RecentPhrases();
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(undefined, 'The king', 'El río', 'zzz qqq'),
        (seed, maxLength, prompt) => {
          const result = english.generate({ seed, maxLength, prompt, recent });
          expect(result.tokens).toBeGreaterThan(0);
          expect(result.tokens).toBeLessThanOrEqual(maxLength);
          if (prompt !== undefined) expect(result.text.startsWith(prompt)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is not used by exact sampling', () => {
    const recent = new RecentPhrases();
    const text = english.generate({ seed: 9, sampling: 'exact', recent }).text;
    expect(text).toBe(english.generate({ seed: 9, sampling: 'exact' }).text);
    expect(recent.size).toBe(0);
  });
});
