import { describe, expect, it } from 'vitest';
import { train, tokenize } from '../../src/lm/index.js';
import type { GenerateOptions } from '../../src/lm/types.js';
import { lines, randomSentences } from './corpus-fixtures.js';
import { ContinuationRanking } from '../../src/lm/ranking.js';
import { selectBestByKey, sortByDescendingKey } from '../../src/lm/typed-sort.js';
import { seededRandom } from '../../src/lm/random.js';

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

const exact = { sampling: 'exact' } as const;

describe('exact generation (sampling: exact)', () => {
  it('is deterministic for a seed and varies across seeds', () => {
    const a = model.generate({ ...exact, seed: 42 });
    expect(model.generate({ ...exact, seed: 42 }).text).toBe(a.text);
    const texts = new Set(Array.from({ length: 20 }, (_, seed) => model.generate({ ...exact, seed }).text));
    expect(texts.size).toBeGreaterThan(3);
    const b = model.generate({ ...exact, seed: 42, temperature: 0.7, topK: 5, topP: 0.9, repetitionPenalty: 1.3 });
    expect(
      model.generate({ ...exact, seed: 42, temperature: 0.7, topK: 5, topP: 0.9, repetitionPenalty: 1.3 }).text,
    ).toBe(b.text);
  });

  it('never returns an empty text and respects maxLength', () => {
    for (let seed = 0; seed < 200; seed++) {
      const result = model.generate({ ...exact, seed, maxLength: 4 });
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.tokens).toBeGreaterThan(0);
      expect(result.tokens).toBeLessThanOrEqual(4);
    }
    // Even a model whose every sentence is one word (so </s> is likely right away).
    const tiny = train(['hi', 'hi', 'yo'], { embeddingDim: 0 });
    for (let seed = 0; seed < 50; seed++) expect(tiny.generate({ ...exact, seed }).text.length).toBeGreaterThan(0);
  });

  it('adds at least minLength words after a prompt before the sentence may end', () => {
    // Every training sentence is one word, so </s> follows a word with high probability.
    const tiny = train(['hi', 'hi', 'yo', 'hola'], { embeddingDim: 0 });
    for (let seed = 0; seed < 50; seed++) {
      expect(tiny.generate({ ...exact, seed, prompt: 'hi' }).tokens).toBeGreaterThanOrEqual(1);
      expect(tiny.generate({ ...exact, seed, prompt: 'hi', temperature: 0.7 }).tokens).toBeGreaterThanOrEqual(1);
      expect(
        tiny.generate({ ...exact, seed, prompt: 'hi', minLength: 3, maxLength: 10 }).tokens,
      ).toBeGreaterThanOrEqual(3);
    }
  });

  it('only produces words of the vocabulary, never markers or <unk>', () => {
    const known = new Set(model.vocab.slice(3));
    for (let seed = 0; seed < 50; seed++) {
      for (const options of [{}, { temperature: 1.5 }, { topK: 3 }, { topP: 0.5 }]) {
        for (const token of tokenize(model.generate({ ...exact, seed, ...options }).text))
          expect(known.has(token)).toBe(true);
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
    expect(greedy.generate({ ...exact, seed: 1, topK: 1 }).text).toBe('a b c');
  });

  it('reports activated patterns per token: only the suffix chain of the context', () => {
    const result = model.generate({ ...exact, seed: 5, maxLength: 20 });
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
    const sampled = train(lines(randomSentences(3, 300, 6, 5)), {
      maxPatternLength: 2,
      embeddingDim: 0,
      splitSentences: false,
    });
    const runs = 4000;
    const freq = new Map<string, number>();
    for (let seed = 0; seed < runs; seed++) {
      const first = tokenize(sampled.generate({ ...exact, seed, maxLength: 1 }).text)[0];
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
    const steered = model.generate({ ...exact, prompt: 'the dog', seed: 3, steer: 1 });
    expect(model.generate({ ...exact, prompt: 'the dog', seed: 3, steer: 1 }).text).toBe(steered.text);
    expect(steered.text.startsWith('the dog')).toBe(true);
  });
});

describe('ranking continuations by probability', () => {
  const reference = (items: Int32Array, key: Float64Array) =>
    Array.from(items).sort((a, b) => key[b] - key[a] || a - b);

  it('sorts by descending probability, equal probabilities by ascending node, like a stable comparator sort', () => {
    const random = seededRandom(7);
    for (const size of [0, 1, 2, 15, 16, 17, 100, 1000]) {
      for (const shape of ['random', 'ties', 'ascending', 'descending'] as const) {
        const key = new Float64Array(size);
        for (let i = 0; i < size; i++) {
          key[i] =
            shape === 'random'
              ? random.next()
              : shape === 'ties'
                ? Math.floor(random.next() * 4) / 4
                : shape === 'ascending'
                  ? i
                  : size - i;
        }
        // Items in scrambled order: the result must not depend on where they start.
        const items = Int32Array.from(
          reference(
            Int32Array.from({ length: size }, (_, i) => i),
            key,
          ).reverse(),
        );
        const expected = reference(items, key);
        sortByDescendingKey(items, key);
        expect(Array.from(items)).toEqual(expected);
      }
    }
  });

  it('selects exactly the leading entries of that order, whatever the input order', () => {
    const random = seededRandom(11);
    for (const size of [1, 17, 64, 129, 1000]) {
      for (const count of [1, 16, 64]) {
        if (count > size) continue;
        const key = Float64Array.from({ length: size }, () => Math.floor(random.next() * 8));
        const items = Int32Array.from({ length: size }, (_, i) => (i * 7919) % size);
        const expected = reference(items, key).slice(0, count);
        selectBestByKey(items, key, count);
        sortByDescendingKey(items, key, count);
        expect(Array.from(items.subarray(0, count))).toEqual(expected);
      }
    }
  });
});

describe('explicit-score generation with kept candidate heads', () => {
  it('gives the same text whether heads are fresh, kept from earlier generations or rebuilt for another top-k', () => {
    // 'hub' has 300 continuations: more than a first visit ranks, so the ranked prefix is used.
    const corpus = [
      ...randomSentences(5, 300, 300, 12).map((sentence) => sentence.join(' ')),
      ...Array.from({ length: 300 }, (_, i) => `hub w${i} w${(i * 7) % 300}`),
    ];
    const fresh = () => train(corpus, { maxPatternLength: 4, embeddingDim: 0, splitSentences: false });
    const settings = [
      { temperature: 0.8, topP: 0.9 },
      { topK: 40, repetitionPenalty: 1.3, prompt: 'hub' },
      { temperature: 1.4, topK: 5, prompt: 'w3 hub' },
    ];
    const seeds = 8;
    const expected = settings.map((s) =>
      Array.from({ length: seeds }, (_, seed) => fresh().generate({ ...exact, ...s, seed }).text),
    );
    const shared = fresh();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < settings.length; i++) {
        for (let seed = 0; seed < seeds; seed++)
          expect(shared.generate({ ...exact, ...settings[i], seed }).text).toBe(expected[i][seed]);
      }
    }
  });

  it('keeps top-k exact after a context with many continuations (only partly ranked on its first visit)', () => {
    // 'hub' is followed by 300 words, w_i seen (i * 37) % 11 + 1 times: distinct ranks, many ties.
    const corpus = [...randomSentences(9, 300, 300, 10).map((sentence) => sentence.join(' '))];
    for (let i = 0; i < 300; i++) for (let r = 0; r <= (i * 37) % 11; r++) corpus.push(`hub w${i}`);
    const hubModel = train(corpus, { maxPatternLength: 3, embeddingDim: 0, splitSentences: false });
    const ranked = [...hubModel.wordIds.keys()]
      .filter((w) => w === '</s>' || !w.startsWith('<'))
      // The explicit-score sampler reads the query graph (the numbers every front end generates from).
      .map((w) => ({ w, p: hubModel.queryProbability(['<s>', 'hub'], w) }))
      .sort((a, b) => b.p - a.p);
    // Ties at the k-th probability would make the exact set ambiguous: quantized probabilities
    // tie in groups, so k is the first group boundary from 3 on.
    let k = 3;
    while (ranked[k - 1].p === ranked[k].p) k++;
    expect(k).toBeLessThanOrEqual(8);
    expect(ranked[k - 1].p).toBeGreaterThan(ranked[k].p);
    const topK = new Set(ranked.slice(0, k).map((r) => r.w));
    // minLength 0: the exact next-word distribution after the prompt, `</s>` included.
    const firstWord = (options: GenerateOptions) =>
      hubModel.generate({ ...exact, prompt: 'hub', maxLength: 1, minLength: 0, ...options }).text.split(' ')[1] ??
      '</s>';
    expect(firstWord({ topK: 1, seed: 0 })).toBe(ranked[0].w);
    const seen = new Set<string>();
    for (let seed = 0; seed < 60; seed++) seen.add(firstWord({ topK: k, temperature: 2, seed }));
    expect(seen).toEqual(topK);
  });

  it('ranks a first-visited large context exactly like a full sort (prefix, then the rest on demand)', () => {
    const corpus = [...randomSentences(9, 300, 300, 10).map((sentence) => sentence.join(' '))];
    for (let i = 0; i < 300; i++) for (let r = 0; r <= (i * 37) % 11; r++) corpus.push(`hub w${i}`);
    const hubModel = train(corpus, { maxPatternLength: 3, embeddingDim: 0, splitSentences: false });
    const { childStart } = hubModel.graph;
    // Ranked by the query graph's probability codes (one order's codes follow its probabilities).
    const prob = hubModel.query.probCode;
    const context = hubModel.wordIds.get('hub') as number;
    const from = childStart[context];
    const to = childStart[context + 1];
    expect(to - from).toBe(300);
    const expected = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => prob[b] - prob[a] || a - b);
    const ranking = new ContinuationRanking(hubModel.query);
    const prefix = ranking.rank(context, 32);
    expect(prefix).toBeGreaterThanOrEqual(32);
    expect(prefix).toBeLessThan(300);
    expect(Array.from(ranking.rankedRun(context).subarray(0, prefix))).toEqual(expected.slice(0, prefix));
    expect(ranking.rank(context, 300)).toBe(300);
    expect(Array.from(ranking.rankedRun(context))).toEqual(expected);
  });
});
