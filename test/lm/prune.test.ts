import { describe, expect, it } from 'vitest';
import { Model, train } from '../../src/lm/index.js';
import { seededRandom } from '../../src/lm/random.js';
import { lines, outcomes, randomSentences } from './corpus-fixtures.js';

const base = { embeddingDim: 0, splitSentences: false, maxPatternLength: 4 } as const;
const sentences = randomSentences(17, 300, 14, 10);

function sumsToOne(model: Model, seed: number): void {
  const random = seededRandom(seed);
  const words = model.vocab.slice(3);
  for (let trial = 0; trial < 30; trial++) {
    const context = random.next() < 0.7 ? ['<s>'] : [];
    const length = Math.floor(random.next() * 6);
    for (let i = 0; i < length; i++) context.push(words[Math.floor(random.next() * words.length)]);
    const sum = outcomes(model.vocab).reduce((s, word) => s + model.probability(context, word), 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
  }
}

/** Stored n-grams of order ≥ 2 as strings, and a check that each one's prefix and suffix are stored. */
function storedPatterns(model: Model): Set<string> {
  const { levels } = model.toFile(0).counts;
  const names: string[][] = [];
  const all = new Set<string>();
  levels.forEach((level, k) => {
    names.push([]);
    for (let i = 0; i < level.word.length; i++) {
      const name =
        k === 0 ? model.vocab[level.word[i]] : `${names[k - 1][level.parent[i]]} ${model.vocab[level.word[i]]}`;
      names[k].push(name);
      all.add(name);
    }
  });
  for (const name of all) {
    const words = name.split(' ');
    if (words.length > 1) expect(all.has(words.slice(1).join(' '))).toBe(true);
  }
  return all;
}

describe('pruning', () => {
  const full = train(lines(sentences), base);

  it('minFrequency drops n-grams of order ≥ 2 seen fewer times, keeps unigrams, stays normalized', () => {
    const pruned = train(lines(sentences), { ...base, minFrequency: 3 });
    expect(pruned.toFile(0).header.pruned).toBe(true);
    expect(pruned.stats.patternsByOrder[0]).toBe(full.stats.patternsByOrder[0]);
    const { levels } = pruned.toFile(0).counts;
    for (let k = 1; k < levels.length; k++)
      for (const count of levels[k].count) expect(count).toBeGreaterThanOrEqual(3);
    expect(pruned.stats.patterns).toBeLessThan(full.stats.patterns);
    storedPatterns(pruned);
    sumsToOne(pruned, 1);
  });

  it('estimates with the discounts and adjusted counts of the unpruned counts, like lmplz --prune', () => {
    const pruned = train(lines(sentences), { ...base, minFrequency: 2 });
    expect(pruned.toFile(0).header.discounts).toEqual(full.discounts);
    // Unigram adjusted counts still count the pruned left-extensions, so p(w) is unchanged.
    for (const word of pruned.vocab.slice(2))
      expect(pruned.probability([], word)).toBeCloseTo(full.probability([], word), 12);
  });

  it('maxPatterns caps the n-grams of order ≥ 2, dropping low counts and long patterns first', () => {
    const cap = Math.floor((full.stats.patterns - full.stats.patternsByOrder[0]) / 3);
    const capped = train(lines(sentences), { ...base, maxPatterns: cap });
    const higher = capped.stats.patterns - capped.stats.patternsByOrder[0];
    expect(higher).toBe(cap);
    const kept = storedPatterns(capped);
    // Everything kept has a count ≥ everything dropped at the same or higher order.
    const { levels } = capped.toFile(0).counts;
    const minKept = Math.min(...levels.slice(1).flatMap((level) => [...level.count]));
    const fullNames = storedPatterns(full);
    const fullCounts = new Map<string, number>();
    const fullLevels = full.toFile(0).counts.levels;
    const names: string[][] = [];
    fullLevels.forEach((level, k) => {
      names.push([]);
      for (let i = 0; i < level.word.length; i++) {
        const name =
          k === 0 ? full.vocab[level.word[i]] : `${names[k - 1][level.parent[i]]} ${full.vocab[level.word[i]]}`;
        names[k].push(name);
        fullCounts.set(name, level.count[i]);
      }
    });
    for (const name of fullNames) if (!kept.has(name)) expect(fullCounts.get(name)).toBeLessThanOrEqual(minKept);
    sumsToOne(capped, 2);
  });

  it('a pruned model loaded from its file is the same model', () => {
    const pruned = train(lines(sentences), { ...base, minFrequency: 2, maxPatterns: 500 });
    const loaded = Model.fromFile(pruned.toFile(0));
    const random = seededRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const context = ['<s>', pruned.vocab[3 + Math.floor(random.next() * 10)]];
      const word = pruned.vocab[3 + Math.floor(random.next() * 10)];
      expect(loaded.probability(context, word)).toBe(pruned.probability(context, word));
    }
  });
});

describe('pruned model files', () => {
  it('stay normalized when read without the stored adjusted counts, pruned mass and discounts', () => {
    const file = train(lines(sentences), { ...base, minFrequency: 2 }).toFile(0);
    const bare = Model.fromFile({
      ...file,
      header: { ...file.header, discounts: undefined },
      counts: {
        order: file.counts.order,
        levels: file.counts.levels.map(({ parent, word, count }) => ({ parent, word, count })),
      },
    });
    sumsToOne(bare, 5);
    const words = bare.vocab.slice(3);
    for (const a of words.slice(0, 6))
      for (const b of words.slice(0, 6)) {
        const sum = outcomes(bare.vocab).reduce((s, w) => s + bare.probability([a, b], w), 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
      }
  });

  it('decode to a normalized model (exactly the trained one when the codec keeps the estimation extras)', async () => {
    const { decode, encode } = await import('../../src/lm/index.js');
    const { decodeModelFile } = await import('../../src/lm/codec.js');
    const pruned = train(lines(sentences), { ...base, minFrequency: 2 });
    const bytes = encode(pruned, 0);
    const loaded = decode(bytes);
    sumsToOne(loaded, 4);
    const file = decodeModelFile(bytes);
    if (file.header.discounts !== undefined && file.counts.levels[0].adjusted !== undefined) {
      expect(loaded.score(lines(sentences.slice(0, 20))).log10Prob).toBe(
        pruned.score(lines(sentences.slice(0, 20))).log10Prob,
      );
    }
  });
});
