// Issue 19: adding text to a model equals training once on all the text, embeddings included
// (they were the base's vectors moved to new ids: 94 rows where one training gave 144), and the
// statistics count words with a vector (at most 20,000), not the table's three reserved rows.
import { describe, expect, it } from 'vitest';
import { train, trainAppend } from '../../src/lm/index.js';

function corpus(seed: number, lines: number): string[] {
  const words = [
    'the',
    'cat',
    'dog',
    'sat',
    'ran',
    'on',
    'mat',
    'park',
    'a',
    'big',
    'small',
    'red',
    'blue',
    'king',
    'queen',
    'house',
    'river',
    'boat',
    'and',
    'to',
  ];
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: lines }, (_, i) => {
    const length = 4 + Math.floor(next() * 8);
    return `${Array.from({ length }, () => words[Math.floor(next() * words.length)]).join(' ')} w${i % 37} .`;
  });
}

describe('adding text and embeddings', () => {
  it('gives bit-identical embeddings to one training on all the text', () => {
    const first = corpus(1, 300);
    const second = [...corpus(2, 200), 'brand new words appear here twice', 'brand new words appear here twice'];
    const params = { maxPatternLength: 3, embeddingDim: 16 };
    const once = train([...first, ...second], params);
    const added = trainAppend(train(first, params), second);
    expect(added.vocab).toEqual(once.vocab);
    expect(added.stats.embeddings).toBe(once.stats.embeddings);
    expect(added.stats.embeddings).toBeGreaterThan(train(first, params).stats.embeddings);
    expect(Array.from(added.embeddings!.values)).toEqual(Array.from(once.embeddings!.values));
    expect(Array.from(added.embeddings!.scales)).toEqual(Array.from(once.embeddings!.scales));
    expect(added.similar('brand', 3)).toEqual(once.similar('brand', 3));
  });

  it('stays equal over several additions at order 5', () => {
    const parts = [corpus(3, 120), corpus(4, 120), corpus(5, 120)];
    const params = { maxPatternLength: 5, embeddingDim: 8 };
    let model = train(parts[0]!, params);
    model = trainAppend(model, parts[1]!);
    model = trainAppend(model, parts[2]!);
    const once = train(parts.flat(), params);
    expect(Array.from(model.embeddings!.values)).toEqual(Array.from(once.embeddings!.values));
  });

  it('counts words with a vector, not the reserved rows: the table holds 3 more rows', () => {
    const model = train(corpus(6, 200), { maxPatternLength: 3, embeddingDim: 8 });
    expect(model.stats.embeddings).toBe(model.embeddings!.count - 3);
    expect(model.stats.embeddings).toBeLessThanOrEqual(20_000);
  });
});
