import { describe, expect, it } from 'vitest';
import { train } from '../../src/lm/index.js';
import { seededRandom } from '../../src/lm/random.js';
import { ReferenceKneserNey } from './kneser-ney-reference.js';
import { lines, outcomes, randomSentences } from './corpus-fixtures.js';

const noEmbeddings = { embeddingDim: 0, splitSentences: false } as const;

describe('interpolated modified Kneser-Ney', () => {
  // Corpus "a b", "a b", "b a". Every counts-of-counts table has t3 = 0, so every order uses
  // the fallback discounts D1 = 0.5, D2 = 1, D3+ = 1.5 (lmplz --discount_fallback).
  const corpus = ['a b', 'a b', 'b a'];

  it('matches hand-computed bigram probabilities', () => {
    const model = train(corpus, { ...noEmbeddings, maxPatternLength: 2 });
    // Unigram adjusted counts (distinct predecessors): a 2, b 2, </s> 2; Σ = 6.
    // p(a) = (2 − 1)/6 + γ/|V| with γ = 3·1/6 = 0.5 and |V| = {a, b, </s>, <unk>} = 4 → 7/24.
    expect(model.probability([], 'a')).toBeCloseTo(7 / 24, 12);
    expect(model.probability([], '</s>')).toBeCloseTo(7 / 24, 12);
    expect(model.probability([], 'zebra')).toBeCloseTo(1 / 8, 12); // <unk> = γ(ε)/|V|
    expect(model.probability([], '<s>')).toBe(0);
    // Context a: b (2), </s> (1); Σ = 3, γ(a) = (D2 + D1)/3 = 0.5.
    expect(model.probability(['a'], 'b')).toBeCloseTo(1 / 3 + 0.5 * (7 / 24), 12); // 23/48
    expect(model.probability(['a'], '</s>')).toBeCloseTo(0.5 / 3 + 0.5 * (7 / 24), 12); // 15/48
    expect(model.probability(['a'], 'a')).toBeCloseTo(0.5 * (7 / 24), 12); // 7/48
    expect(model.probability(['a'], 'zebra')).toBeCloseTo(0.5 * (1 / 8), 12); // 3/48
    // The sentence "a b": p(a|<s>) p(b|a) p(</s>|b) = (23/48)³.
    expect(model.score('a b', { splitSentences: false }).log10Prob).toBeCloseTo(3 * Math.log10(23 / 48), 12);
  });

  it('matches hand-computed trigram probabilities (continuation counts, <s> keeps raw counts)', () => {
    const model = train(corpus, { ...noEmbeddings, maxPatternLength: 3 });
    // Bigram adjusted counts: "<s> a" keeps its raw 2, "a b" has one predecessor (<s>) → 1.
    // Context a: b (1), </s> (1); γ(a) = (0.5 + 0.5)/2 → p(b|a) = 0.5/2 + 0.5·7/24 = 19/48.
    expect(model.probability(['a'], 'b')).toBeCloseTo(19 / 48, 12);
    // Context "<s> a": b (raw 2); γ = D2/2 = 0.5 → p(b|<s> a) = 1/2 + 0.5·19/48 = 67/96.
    expect(model.probability(['<s>', 'a'], 'b')).toBeCloseTo(67 / 96, 12);
    // Context <s>: a (2), b (1) → p(a|<s>) = 1/3 + 0.5·7/24 = 23/48.
    expect(model.probability(['<s>'], 'a')).toBeCloseTo(23 / 48, 12);
  });

  it('uses the Chen & Goodman discounts when counts-of-counts allow them', () => {
    const sentences = randomSentences(7, 400, 12, 9);
    const model = train(lines(sentences), { ...noEmbeddings, maxPatternLength: 3 });
    const reference = new ReferenceKneserNey(sentences, 3);
    expect(reference.discounts.some((d) => d[0] !== 0.5)).toBe(true);
    model.discounts.forEach((d, k) => {
      d.forEach((x, j) => {
        expect(x).toBeCloseTo(reference.discounts[k][j], 12);
      });
    });
  });

  for (let order = 1; order <= 5; order++) {
    it(`equals the slow reference implementation to 1e-9 at order ${order}`, () => {
      for (const [seed, size, vocabulary] of [
        [order * 10 + 1, 30, 5],
        [order * 10 + 2, 250, 10],
      ]) {
        const sentences = randomSentences(seed, size, vocabulary, 8);
        const model = train(lines(sentences), { ...noEmbeddings, maxPatternLength: order });
        const reference = new ReferenceKneserNey(sentences, order);
        const random = seededRandom(seed);
        const words = [...model.vocab.filter((w) => !w.startsWith('<')), 'unseen'];
        for (let trial = 0; trial < 40; trial++) {
          const context: string[] = random.next() < 0.5 ? ['<s>'] : [];
          const length = Math.floor(random.next() * (order + 1));
          for (let i = 0; i < length; i++) context.push(words[Math.floor(random.next() * words.length)]);
          for (const word of [...outcomes(model.vocab), 'unseen']) {
            expect(Math.abs(model.probability(context, word) - reference.probability(context, word))).toBeLessThan(
              1e-9,
            );
          }
        }
        const test = randomSentences(seed + 1000, 20, vocabulary + 2, 8);
        const evaluation = model.score(lines(test), { splitSentences: false });
        expect(Math.abs(evaluation.log10Prob - reference.log10Prob(test))).toBeLessThan(1e-9);
      }
    });
  }

  it('sums to 1 over the vocabulary, </s> and <unk> for random contexts', () => {
    const sentences = randomSentences(99, 300, 15, 10);
    for (const order of [1, 2, 3, 5, 8]) {
      const model = train(lines(sentences), { ...noEmbeddings, maxPatternLength: order });
      const random = seededRandom(order);
      const words = model.vocab.slice(3);
      for (let trial = 0; trial < 25; trial++) {
        const context = ['<s>'];
        const length = Math.floor(random.next() * 7);
        for (let i = 0; i < length; i++) context.push(words[Math.floor(random.next() * words.length)]);
        const sum = outcomes(model.vocab).reduce((s, word) => s + model.probability(context, word), 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
      }
    }
  });
});
