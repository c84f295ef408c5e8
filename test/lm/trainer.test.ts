import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type Model,
  train,
  trainAppend,
  TrainingInputError,
  type TrainProgress,
} from '../../src/lm/index.js';
import { lines, randomSentences } from './corpus-fixtures.js';

const text = lines(randomSentences(23, 200, 30, 12));
const more = lines(randomSentences(24, 150, 40, 12));

function sameCounts(a: Model, b: Model): void {
  expect(a.vocab).toEqual(b.vocab);
  const la = a.toFile(0).counts.levels;
  const lb = b.toFile(0).counts.levels;
  expect(la.length).toBe(lb.length);
  la.forEach((level, k) => {
    expect([...level.parent]).toEqual([...lb[k].parent]);
    expect([...level.word]).toEqual([...lb[k].word]);
    expect([...level.count]).toEqual([...lb[k].count]);
  });
}

describe('training', () => {
  it('append-training equals one-shot training on all the text (unpruned)', () => {
    const params = { maxPatternLength: 4, embeddingDim: 0, splitSentences: false };
    const once = train([...text, ...more], params);
    const appended = trainAppend(train(text, params), more);
    sameCounts(appended, once);
    expect(appended.stats.corpus).toEqual(once.stats.corpus);
    const probe = ['<s>', once.vocab[5], once.vocab[9]];
    for (const word of once.vocab.slice(2))
      expect(appended.probability(probe, word)).toBe(once.probability(probe, word));
    expect(appended.score(more).log10Prob).toBe(once.score(more).log10Prob);
  });

  it('append-training several times in a row still equals one-shot training', () => {
    const params = { maxPatternLength: 3, embeddingDim: 0, splitSentences: false };
    let model = train(text.slice(0, 50), params);
    for (let start = 50; start < text.length; start += 50) model = trainAppend(model, text.slice(start, start + 50));
    sameCounts(model, train(text, params));
  });

  it('append-training a pruned model keeps it marked pruned and normalized', () => {
    const params = { maxPatternLength: 3, embeddingDim: 0, splitSentences: false, minFrequency: 2 };
    const appended = trainAppend(train(text, params), more);
    expect(appended.toFile(0).header.pruned).toBe(true);
    const sum = appended.vocab
      .filter((w) => w !== '<s>')
      .reduce((s, w) => s + appended.probability(['<s>', appended.vocab[4]], w), 0);
    expect(sum).toBeCloseTo(1, 9);
  });

  it('append-training at order 2 (too short for the embedding window) keeps the base embeddings for known words', () => {
    const params = { maxPatternLength: 2, embeddingDim: 8, splitSentences: false };
    const base = train(text, params);
    const appended = trainAppend(base, more);
    expect(appended.embeddings).not.toBeNull();
    const word = base.vocab[3];
    expect(appended.rowVector(appended.wordIds.get(word) as number)).toEqual(base.rowVector(3));
  });

  it('rejects unusable parameters and empty text with typed errors', () => {
    const kind = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof TrainingInputError ? error.kind : 'other';
      }
      return 'none';
    };
    expect(kind(() => train(text, { maxPatternLength: 0 }))).toBe('bad-params');
    expect(kind(() => train(text, { maxPatternLength: 9 }))).toBe('bad-params');
    expect(kind(() => train(text, { minFrequency: 0 }))).toBe('bad-params');
    expect(kind(() => train(text, { maxPatterns: -1 }))).toBe('bad-params');
    expect(kind(() => train(text, { validation: 0.6 }))).toBe('bad-params');
    expect(kind(() => train(text, { embeddingDim: 1.5 }))).toBe('bad-params');
    expect(kind(() => train(['', '   ', '\t'], {}))).toBe('empty');
    expect(kind(() => train('', {}))).toBe('empty');
    expect(kind(() => trainAppend(train(text, { embeddingDim: 0 }), ['']))).toBe('empty');
  });

  it('reports statistics: patterns by order, graph, memory, corpus, timing, held-out perplexity', () => {
    let clock = 1000;
    const progress: TrainProgress[] = [];
    const model = train(
      text,
      { maxPatternLength: 3, embeddingDim: 8, validation: 0.2, splitSentences: false },
      {
        now: () => (clock += 5),
        onProgress: (p) => progress.push(p),
        seed: 3,
      },
    );
    const stats = model.stats;
    expect(stats.order).toBe(3);
    expect(stats.patternsByOrder.length).toBe(3);
    expect(stats.patterns).toBe(stats.patternsByOrder.reduce((a, b) => a + b, 0));
    expect(stats.vocabularySize).toBe(model.vocab.length);
    expect(stats.graphNodes).toBe(stats.patterns + 1);
    expect(stats.graphEdges).toBe(2 * stats.patterns);
    expect(stats.memoryBytes).toBeGreaterThan(stats.patterns * 20);
    expect(stats.embeddingDim).toBe(8);
    expect(stats.embeddings).toBeGreaterThan(0);
    expect(stats.trainingMs).toBeGreaterThan(0);
    expect(stats.trainingMs % 5).toBe(0);
    expect(stats.heldOutPerplexity).toBeGreaterThan(1);
    // About a fifth of the lines are held out, and never trained on.
    expect(stats.corpus.lines).toBeGreaterThan(text.length * 0.7);
    expect(stats.corpus.lines).toBeLessThan(text.length * 0.9);
    expect(stats.corpus.sentences).toBe(stats.corpus.lines);
    expect(stats.corpus.tokens).toBeGreaterThan(stats.corpus.lines);
    expect(progress.map((p) => p.phase)).toContain('count');
    expect(progress.at(-1)).toEqual({ phase: 'pack', fraction: 1 });
    for (let i = 1; i < progress.length; i++)
      expect(progress[i].fraction).toBeGreaterThanOrEqual(progress[i - 1].fraction);
  });

  it('splits long lines into sentences when asked', () => {
    const paragraph = ['The cat sat. The dog ran! Did it?'];
    expect(train(paragraph, { embeddingDim: 0, splitSentences: true }).stats.corpus.sentences).toBe(3);
    expect(train(paragraph, { embeddingDim: 0, splitSentences: false }).stats.corpus.sentences).toBe(1);
  });

  it('round-trips through the file codec to the same model', () => {
    const model = train(text, { maxPatternLength: 4, embeddingDim: 8, splitSentences: false });
    const loaded = decode(encode(model, 1234));
    sameCounts(loaded, model);
    expect(loaded.stats).toEqual(model.stats);
    expect(loaded.score(more).log10Prob).toBe(model.score(more).log10Prob);
    expect(loaded.generate({ seed: 9 }).text).toBe(model.generate({ seed: 9 }).text);
    expect(model.toFile(1234).header.createdAt).toBe(1234);
  });
});
