// Independent check of the stored-form invariants (types.ts), so the codec's own validation and
// this one check each other.
import { expect } from 'vitest';
import { FORMAT_VERSION } from '../../src/lm/codec.js';
import { BOS, EOS, UNK, type ModelFile } from '../../src/lm/types.js';

export function expectStructurallyValid(file: ModelFile): void {
  const { header, vocab, counts, embeddings } = file;
  expect(header.formatVersion).toBe(FORMAT_VERSION);
  expect(Number.isFinite(header.createdAt)).toBe(true);
  expect(typeof header.pruned).toBe('boolean');
  for (const params of [header.params, header.stats.params]) {
    expect(
      Number.isInteger(params.maxPatternLength) && params.maxPatternLength >= 1 && params.maxPatternLength <= 8,
    ).toBe(true);
    expect(Number.isInteger(params.minFrequency) && params.minFrequency >= 1).toBe(true);
    expect(params.validation >= 0 && params.validation <= 0.5).toBe(true);
    expect(typeof params.splitSentences).toBe('boolean');
  }
  expect(Array.isArray(header.stats.patternsByOrder)).toBe(true);
  if ('discounts' in header) {
    for (const triple of header.discounts as number[][]) {
      expect(triple).toHaveLength(3);
      for (const d of triple) expect(Number.isFinite(d)).toBe(true);
    }
  }
  expect(header.stats.heldOutPerplexity === null || typeof header.stats.heldOutPerplexity === 'number').toBe(true);

  expect(vocab.slice(0, 3)).toEqual([UNK, BOS, EOS]);
  for (const word of vocab) expect(typeof word).toBe('string');

  expect(counts.levels.length).toBe(counts.order);
  let previousSize = 1;
  counts.levels.forEach((level, i) => {
    expect(level.parent).toBeInstanceOf(Int32Array);
    expect(level.word).toBeInstanceOf(Int32Array);
    expect(level.count).toBeInstanceOf(Uint32Array);
    const size = level.word.length;
    expect(level.parent.length).toBe(size);
    expect(level.count.length).toBe(size);
    for (const extra of [level.adjusted, level.prunedMass]) {
      if (extra === undefined) continue;
      expect(extra).toBeInstanceOf(Uint32Array);
      expect(extra.length).toBe(size);
    }
    expect('adjusted' in level ? level.adjusted : 'absent').not.toBeUndefined();
    expect('prunedMass' in level ? level.prunedMass : 'absent').not.toBeUndefined();
    for (let n = 0; n < size; n++) {
      const parent = level.parent[n];
      const word = level.word[n];
      if (i === 0) {
        if (parent !== 0) expect.fail(`level 0 node ${n} has parent ${parent}`);
      } else if (parent < 0 || parent >= previousSize) expect.fail(`level ${i} node ${n} parent out of range`);
      if (word < 0 || word >= vocab.length) expect.fail(`level ${i} node ${n} word out of range`);
      if (n > 0) {
        const before = level.parent[n - 1];
        if (parent < before || (parent === before && word <= level.word[n - 1]))
          expect.fail(`level ${i} unsorted at ${n}`);
      }
    }
    previousSize = size;
  });

  if (embeddings !== null) {
    expect(embeddings.count).toBeLessThanOrEqual(vocab.length);
    expect(embeddings.values).toBeInstanceOf(Int8Array);
    expect(embeddings.scales).toBeInstanceOf(Float32Array);
    expect(embeddings.values.length).toBe(embeddings.dim * embeddings.count);
    expect(embeddings.scales.length).toBe(embeddings.count);
  }
}
