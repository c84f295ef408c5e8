// The natural sampler's draw tables (src/lm/draw-tables.ts): lists kept per context from the
// second visit, bounded and counted in the model's bytes, and a draw from a list (binary search
// over running sums, refused words taken out) that returns exactly the word of the sequential
// weighing it replaces, for every uniform.
import { describe, expect, it } from 'vitest';
import { sample } from '../../bench/generation-corpora.js';
import { DRAW_TABLE_CANDIDATES, DrawTables } from '../../src/lm/draw-tables.js';
import { decodeImage, encodeImage, train, type GenerateOptions, type Model } from '../../src/lm/index.js';
import { seededRandom } from '../../src/lm/random.js';
import { ContinuationRanking } from '../../src/lm/ranking.js';

const stories = [
  'Once upon a time a little fox lived in the green forest near the river.',
  'The little fox liked to run along the river in the morning.',
  'One morning the fox found a shiny stone under an old tree.',
  'The old tree told the fox a story about the stars.',
];
const small = train(stories, { maxPatternLength: 3 });

/** Visits `context` as the sampler does: find, then the list is written when find asks to keep it. */
function write(
  tables: DrawTables,
  context: number,
  ids: number[],
  weights: number[],
  special: (id: number) => boolean,
) {
  expect(tables.find(context)).toBe(false);
  if (!tables.keeping) return;
  tables.begin(ids.length, true);
  for (let i = 0; i < ids.length; i++) tables.add(ids[i], weights[i], special(ids[i]));
  tables.finish();
}

/** The sampler's sequential draw (pick without top-k or nucleus) over the words not excluded. */
function sequentialPick(ids: number[], weights: number[], excluded: Set<number>, uniform: number): number {
  let sum = 0;
  for (let i = 0; i < ids.length; i++) if (!excluded.has(i)) sum += weights[i];
  let u = uniform * sum;
  let last = -1;
  for (let i = 0; i < ids.length; i++) {
    if (excluded.has(i)) continue;
    u -= weights[i];
    if (u < 0) return ids[i];
    last = i;
  }
  return ids[last];
}

describe('draw tables', () => {
  it('keep a context list from its second visit, with its words, weights, running sums and noted words', () => {
    const tables = new DrawTables(small.query);
    tables.useTemperature(1);
    const ids = [5, 7, 9, 12];
    const weights = [0.5, 0.25, 0.125, 0.125];
    write(tables, 40, ids, weights, (id) => id === 9);
    expect(tables.keptCandidates).toBe(0); // a first visit is only noted
    expect(tables.byteLength).toBeLessThan(4096); // nothing kept, little held
    write(tables, 40, ids, weights, (id) => id === 9);
    expect(tables.keptCandidates).toBe(4);
    expect(tables.find(40)).toBe(true);
    expect(tables.count).toBe(4);
    expect([...tables.ids.subarray(tables.base, tables.base + 4)]).toEqual(ids);
    expect([...tables.cumulative.subarray(tables.base, tables.base + 4)]).toEqual([0.5, 0.75, 0.875, 1]);
    expect([...tables.specials.subarray(tables.specialFrom, tables.specialTo)]).toEqual([2]);
    expect(tables.positionOf(12)).toBe(3);
    expect(tables.positionOf(8)).toBe(-1);
  });

  it('drop every kept list when the temperature changes', () => {
    const tables = new DrawTables(small.query);
    tables.useTemperature(1);
    write(tables, 3, [4, 6], [1, 2], () => false);
    write(tables, 3, [4, 6], [1, 2], () => false);
    expect(tables.find(3)).toBe(true);
    tables.useTemperature(1);
    expect(tables.find(3)).toBe(true);
    tables.useTemperature(1 / 1.2);
    expect(tables.keptCandidates).toBe(0);
    expect(tables.find(3)).toBe(false);
  });

  it('keep their lists when the slots grow', () => {
    const tables = new DrawTables(small.query);
    tables.useTemperature(1);
    const slotsAtFirst = tables.byteLength;
    for (let context = 0; context < 300; context++) {
      write(tables, context, [3, 4 + context], [1, 2], () => false);
      write(tables, context, [3, 4 + context], [1, 2], () => false);
    }
    expect(tables.byteLength).toBeGreaterThan(slotsAtFirst + 300 * 20);
    for (let context = 0; context < 300; context++) {
      expect(tables.find(context)).toBe(true);
      expect([...tables.ids.subarray(tables.base, tables.base + tables.count)]).toEqual([3, 4 + context]);
    }
  });

  it('keep every list where it is when contexts share a slot, the slots doubled instead (no list written twice)', () => {
    const tables = new DrawTables(small.query);
    tables.useTemperature(1);
    // Contexts 64 apart take the same slot of the first 64: each would push the previous out.
    const contexts = Array.from({ length: 12 }, (_, i) => 64 * i);
    for (const context of contexts) {
      write(tables, context, [3, 4 + context], [1, 2], () => false);
      write(tables, context, [3, 4 + context], [1, 2], () => false);
    }
    for (let round = 0; round < 3; round++) for (const context of contexts) expect(tables.find(context)).toBe(true);
    expect(tables.keptCandidates).toBe(2 * contexts.length);
    for (const context of contexts) {
      expect(tables.find(context)).toBe(true);
      expect(tables.ids[tables.base + 1]).toBe(4 + context);
    }
  });

  it('stay within their bound however many contexts are kept', () => {
    const tables = new DrawTables(small.query);
    tables.useTemperature(1);
    const ids = Array.from({ length: 256 }, (_, i) => i + 3);
    const weights = ids.map((id) => 1 / id);
    let largest = 0;
    for (let context = 0; context < 4000; context++) {
      write(tables, context, ids, weights, () => false);
      write(tables, context, ids, weights, () => false);
      expect(tables.keptCandidates).toBeLessThanOrEqual(DRAW_TABLE_CANDIDATES);
      largest = Math.max(largest, tables.byteLength);
    }
    // 20 bytes a candidate (id, weight, running sum) and 4 per noted position, plus the slots.
    expect(largest).toBeLessThanOrEqual(DRAW_TABLE_CANDIDATES * 24 + 64 * 1024);
    expect(largest).toBeGreaterThan(DRAW_TABLE_CANDIDATES * 20);
  });

  it('are counted in the ranking bytes, and so in the model memory, as they grow', () => {
    const ranking = new ContinuationRanking(small.query);
    const without = ranking.byteLength;
    const tables = ranking.drawTables();
    expect(ranking.byteLength - without).toBe(tables.byteLength);
    tables.useTemperature(1);
    const ids = Array.from({ length: 200 }, (_, i) => i + 3);
    for (let context = 0; context < 50; context++) {
      write(tables, context, ids, ids, () => false);
      write(tables, context, ids, ids, () => false);
    }
    expect(tables.byteLength).toBeGreaterThan(10_000 * 20);
    expect(ranking.byteLength - without).toBe(tables.byteLength);

    const model = train(sample('en-stories.txt').pool);
    const before = model.memoryBytes(); // nothing generated yet: no ranking, no tables
    for (let seed = 0; seed < 200; seed++) model.generate({ seed });
    const kept = model.ranking().drawTables();
    expect(kept.keptCandidates).toBeGreaterThan(0);
    expect(model.memoryBytes() - before).toBeGreaterThanOrEqual(kept.byteLength);
  });

  it('draw exactly the word of the sequential weighing, refused words out, for every uniform', () => {
    const random = seededRandom(7);
    const tables = new DrawTables(small.query);
    tables.useTemperature(1);
    for (let trial = 0; trial < 300; trial++) {
      const size = 1 + Math.floor(random.next() * 256);
      const ids = Array.from({ length: size }, (_, i) => 3 + 2 * i);
      // Weights over many magnitudes, as p^(1/T) are, and some equal ones.
      const weights = ids.map(() => (random.next() < 0.2 ? 0.01 : random.next() ** 6));
      const context = trial;
      write(tables, context, ids, weights, () => false);
      write(tables, context, ids, weights, () => false);
      expect(tables.find(context)).toBe(true);
      const excluded = new Set<number>();
      let refused = 0;
      const wanted = random.next() < 0.5 ? Math.floor(random.next() * Math.min(size - 1, 6)) : 0;
      while (excluded.size < wanted) {
        const position = Math.floor(random.next() * size);
        if (!excluded.has(position)) {
          excluded.add(position);
          refused = tables.exclude(refused, position);
        }
      }
      expect([...tables.excluded.subarray(0, refused)]).toEqual([...excluded].sort((a, b) => a - b));
      // Uniforms at random, and at and around every boundary between words (where rounding differs).
      const uniforms = Array.from({ length: 50 }, () => random.next());
      let sum = 0;
      for (let i = 0; i < size; i++) if (!excluded.has(i)) sum += weights[i];
      let running = 0;
      for (let i = 0; i < size; i++) {
        if (excluded.has(i)) continue;
        running += weights[i];
        const at = running / sum;
        for (const u of [at, at * (1 - 1e-15), at * (1 + 1e-15), at - 1e-12, at + 1e-12])
          if (u >= 0 && u < 1) uniforms.push(u);
      }
      uniforms.push(0);
      for (const u of uniforms) expect(tables.pick(refused, u)).toBe(sequentialPick(ids, weights, excluded, u));
      let first = 0;
      while (excluded.has(first)) first++;
      expect(tables.firstKept(refused)).toBe(ids[first]);
    }
  });
});

describe('natural generation from the draw tables', () => {
  /** The model as the bot serves it: trained with the product's defaults, loaded from its image. */
  function served(lines: string[]): Model {
    return decodeImage(encodeImage(train(lines), 'draw-tables'));
  }
  const prompts = ['', 'The', 'Once upon a time', 'She said'];
  const texts = (model: Model, extra: GenerateOptions) =>
    Array.from({ length: 120 }, (_, seed) => model.generate({ seed, prompt: prompts[seed % 4], ...extra }).text);

  it('writes the texts of the full weighing (a top-k above every run weighs as before), cold and warm', () => {
    const model = served(sample('en-stories.txt').pool);
    // topK beyond any run keeps the distribution and the random numbers, and takes the weighing path.
    const weighed = texts(model, { topK: 1_000_000 });
    const cold = texts(model, {});
    const warm = texts(model, {});
    expect(cold).toEqual(weighed);
    expect(warm).toEqual(weighed);
    expect(model.ranking().drawTables().keptCandidates).toBeGreaterThan(0);
    // The same at another temperature, and back (the lists are rebuilt for each).
    expect(texts(model, { temperature: 0.7 })).toEqual(texts(model, { temperature: 0.7, topK: 1_000_000 }));
    expect(texts(model, {})).toEqual(weighed);
  });

  it('hold a small model in little memory after many generations, nothing written twice', () => {
    const model = served(sample('en-stories.txt').pool);
    const tables = model.ranking().drawTables();
    for (let seed = 0; seed < 300; seed++) model.generate({ seed });
    const settled = tables.byteLength;
    const kept = tables.keptCandidates;
    // 3,783 n-grams: 424 candidates in 25 lists, ~15.7 KB with the slots and the per-word bytes
    // (main, at full size from the start: ~37 KB after one generation).
    expect(settled).toBeLessThanOrEqual(20 * 1024);
    for (let seed = 300; seed < 600; seed++) model.generate({ seed });
    expect(tables.keptCandidates).toBe(kept);
    expect(tables.byteLength).toBe(settled);
    expect(model.memoryBytes()).toBeGreaterThanOrEqual(settled);
  });

  it('draw the same texts while they grow as tables that started at their largest', () => {
    const lines = sample('es-cuentos.txt').pool;
    const growing = served(lines);
    const large = served(lines);
    // Filled to their largest at another temperature, then emptied by the sampler's (1): the
    // arena and the slots keep their size.
    const full = large.ranking().drawTables();
    full.useTemperature(0.5);
    const ids = Array.from({ length: 256 }, (_, i) => i + 3);
    for (let context = 0; context < 8000; context++) {
      write(full, context, ids, ids, () => false);
      write(full, context, ids, ids, () => false);
    }
    const largest = full.byteLength;
    const sizes = new Set<number>();
    for (let seed = 0; seed < 150; seed++) {
      expect(growing.generate({ seed }).text).toBe(large.generate({ seed }).text);
      sizes.add(growing.ranking().drawTables().byteLength);
    }
    expect(sizes.size).toBeGreaterThan(1); // grew mid-run
    expect(Math.max(...sizes)).toBeLessThan(largest / 10);
    expect(full.byteLength).toBeGreaterThanOrEqual(largest); // as large as ever (plus the per-word bytes)
  });

  it('leaves no word marked after draws that leave a copy', () => {
    const model = served(sample('en-stories.txt').pool);
    // A short copy run makes many draws leave the full context (its continuations marked meanwhile).
    const pinned = texts(model, { maxCopyRun: 2, topK: 1_000_000 });
    expect(texts(model, { maxCopyRun: 2 })).toEqual(pinned);
    expect(
      model
        .ranking()
        .drawTables()
        .copyMarks()
        .every((mark) => mark === 0),
    ).toBe(true);
  });

  it('gives a seed the same text in a fresh model and in one whose lists are kept', () => {
    const lines = sample('es-cuentos.txt').pool;
    const warmed = served(lines);
    for (let seed = 500; seed < 700; seed++) warmed.generate({ seed });
    const fresh = served(lines);
    for (let seed = 0; seed < 40; seed++) expect(warmed.generate({ seed }).text).toBe(fresh.generate({ seed }).text);
  });
});
