import { describe, expect, it } from 'vitest';
import { train, tokenize } from '../../src/lm/index.js';
import { lines, randomSentences } from './corpus-fixtures.js';

const english = [
  'the cat sat on the mat .',
  'the dog sat on the log .',
  'a cat and a dog played in the garden .',
  'the garden was green and the sky was blue .',
  'my dog likes the garden .',
  'the cat likes the sun .',
  'a bird sang in the tree .',
  'the tree was tall .',
];
const model = train(english, { maxPatternLength: 3, embeddingDim: 8, splitSentences: false });

describe('generation', () => {
  it('is deterministic for a seed and varies across seeds', () => {
    const a = model.generate({ seed: 42 });
    expect(model.generate({ seed: 42 }).text).toBe(a.text);
    const texts = new Set(Array.from({ length: 20 }, (_, seed) => model.generate({ seed }).text));
    expect(texts.size).toBeGreaterThan(3);
    const b = model.generate({ seed: 42, temperature: 0.7, topK: 5, topP: 0.9, repetitionPenalty: 1.3 });
    expect(model.generate({ seed: 42, temperature: 0.7, topK: 5, topP: 0.9, repetitionPenalty: 1.3 }).text).toBe(b.text);
  });

  it('never returns an empty text and respects maxLength', () => {
    for (let seed = 0; seed < 200; seed++) {
      const result = model.generate({ seed, maxLength: 4 });
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.tokens).toBeGreaterThan(0);
      expect(result.tokens).toBeLessThanOrEqual(4);
    }
    // Even a model whose every sentence is one word (so </s> is likely right away).
    const tiny = train(['hi', 'hi', 'yo'], { embeddingDim: 0 });
    for (let seed = 0; seed < 50; seed++) expect(tiny.generate({ seed }).text.length).toBeGreaterThan(0);
  });

  it('only produces words of the vocabulary, never markers or <unk>', () => {
    const known = new Set(model.vocab.slice(3));
    for (let seed = 0; seed < 50; seed++) {
      for (const options of [{}, { temperature: 1.5 }, { topK: 3 }, { topP: 0.5 }]) {
        for (const token of tokenize(model.generate({ seed, ...options }).text)) expect(known.has(token)).toBe(true);
      }
    }
  });

  it('continues a prompt and reports unknown prompt words mapped to their nearest known word', () => {
    const result = model.generate({ prompt: 'the cat', seed: 1 });
    expect(result.text.startsWith('the cat')).toBe(true);
    expect(result.substitutions).toEqual([]);
    const unknown = model.generate({ prompt: 'the gardens', seed: 1 });
    expect(unknown.text.startsWith('the gardens')).toBe(true);
    expect(unknown.substitutions.length).toBe(1);
    expect(unknown.substitutions[0].from).toBe('gardens');
    expect(model.vocab).toContain(unknown.substitutions[0].to);
  });

  it('stops at </s> with a deterministic walk (top-k 1 follows the most likely word)', () => {
    const greedy = train(['a b c', 'a b c', 'a b c', 'a b d'], { maxPatternLength: 3, embeddingDim: 0 });
    expect(greedy.generate({ seed: 1, topK: 1 }).text).toBe('a b c');
  });

  it('reports activated patterns per token: only the suffix chain of the context', () => {
    const result = model.generate({ seed: 5, maxLength: 20 });
    expect(result.activatedPatterns).toBeGreaterThanOrEqual(result.tokens);
    // A trigram model consults at most its 2-word context, its 1-word suffix and the root.
    expect(result.activatedPerToken).toBeLessThanOrEqual(3 * 64);
    expect(result.activatedPerToken).toBeGreaterThanOrEqual(1);
  });

  it('measures time only through the given clock', () => {
    let t = 0;
    expect(model.generate({ seed: 1, now: () => (t += 7) }).ms).toBe(7);
    expect(model.generate({ seed: 1 }).ms).toBe(0);
  });

  it('samples from the model distribution (first word frequencies match p(w | <s>))', () => {
    const sampled = train(lines(randomSentences(3, 300, 6, 5)), { maxPatternLength: 2, embeddingDim: 0, splitSentences: false });
    const runs = 4000;
    const freq = new Map<string, number>();
    for (let seed = 0; seed < runs; seed++) {
      const first = tokenize(sampled.generate({ seed, maxLength: 1 }).text)[0];
      freq.set(first, (freq.get(first) ?? 0) + 1);
    }
    // The first word excludes </s> (never an empty sentence) and <unk>: renormalize p over words.
    const words = sampled.vocab.slice(3);
    const mass = words.reduce((s, w) => s + sampled.probability(['<s>'], w), 0);
    for (const word of words) {
      const expected = sampled.probability(['<s>'], word) / mass;
      expect(Math.abs((freq.get(word) ?? 0) / runs - expected)).toBeLessThan(0.03);
    }
  });

  it('steers toward words related to the prompt without breaking determinism', () => {
    const steered = model.generate({ prompt: 'the dog', seed: 3, steer: 1 });
    expect(model.generate({ prompt: 'the dog', seed: 3, steer: 1 }).text).toBe(steered.text);
    expect(steered.text.startsWith('the dog')).toBe(true);
  });
});
