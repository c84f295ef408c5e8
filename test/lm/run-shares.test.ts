// Layout 3 of the model image: the shares of the continuations as 8-bit codes with sparse running
// sums (src/lm/run-shares.ts), and exact sampling drawing by them (issue 16).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/lm/graph.js';
import { decodeImage, encodeImage, train } from '../../src/lm/index.js';
import { CODEBOOK_SIZE, type QueryGraph } from '../../src/lm/query-graph.js';
import { seededRandom } from '../../src/lm/random.js';
import { popcount32, RANK_WORDS, RankBits } from '../../src/lm/rank-bits.js';
import { checkpointsFor, RunShares, SHARE_CHECKPOINT } from '../../src/lm/run-shares.js';
import { sampleMixture } from '../../src/lm/sample-exact.js';
import { BOS_ID, UNK_ID } from '../../src/lm/types.js';
import { lines, randomSentences } from './corpus-fixtures.js';

/** `data` behind a guard that throws on any index outside the array. */
function guarded<T extends Uint8Array | Float32Array | Uint32Array>(data: T): T {
  return new Proxy(data, {
    get(target, property) {
      if (typeof property === 'string' && /^-?\d+$/.test(property)) {
        const index = Number(property);
        if (index < 0 || index >= target.length) throw new RangeError(`read of ${index} of ${target.length}`);
        return target[index];
      }
      const value = (target as unknown as Record<string | symbol, unknown>)[property];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Runs of the given lengths laid end to end, codes and one codebook; checkpoints summed by brute force. */
function sharesOf(lengths: number[], codes: number[], table: number[]): { shares: RunShares; starts: number[] } {
  const code = Uint8Array.from(codes);
  const values = Float32Array.from(table);
  const starts: number[] = [];
  const runOf = new Int32Array(code.length);
  let at = 0;
  for (const length of lengths) {
    starts.push(at);
    runOf.fill(starts.length - 1, at, at + length);
    at += length;
  }
  starts.push(at);
  const checkpoint = new Float32Array(checkpointsFor(code.length));
  for (let j = 0; j < checkpoint.length; j++) {
    const end = j * SHARE_CHECKPOINT + SHARE_CHECKPOINT - 1;
    let sum = 0;
    for (let y = starts[runOf[end]]; y <= end; y++) sum += values[code[y]];
    checkpoint[j] = sum;
  }
  return { shares: new RunShares(guarded(code), guarded(values), guarded(checkpoint), RankBits.of([])), starts };
}

const runsArbitrary = fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 12 }).chain((lengths) => {
  const n = lengths.reduce((a, b) => a + b, 0);
  return fc.tuple(
    fc.constant(lengths),
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n }),
    fc.array(fc.double({ min: 1e-6, max: 1, noNaN: true }), { minLength: 256, maxLength: 256 }),
    fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 8, maxLength: 8 }),
  );
});

describe('run shares (8-bit codes with a running sum every 16 nodes)', () => {
  it('sums and draws as a scan of the whole run would, never reading outside its arrays', () => {
    fc.assert(
      fc.property(runsArbitrary, ([lengths, codes, table, fractions]) => {
        const { shares, starts } = sharesOf(lengths, codes, table);
        const decoded = Float32Array.from(table);
        for (let r = 0; r + 1 < starts.length; r++) {
          const from = starts[r];
          const to = starts[r + 1];
          let sum = 0;
          const running: number[] = [];
          for (let y = from; y < to; y++) {
            sum += decoded[codes[y]];
            running.push(sum);
            // The checkpoints are 32-bit floats.
            expect(Math.abs(shares.through(0, from, y) - sum)).toBeLessThanOrEqual(1e-6 * sum);
            expect(shares.share(0, y)).toBe(decoded[codes[y]]);
          }
          for (const fraction of fractions) {
            const target = fraction * running[running.length - 1];
            let expected = running.findIndex((value) => value > target);
            if (expected < 0) expected = running.length - 1;
            const got = shares.draw(0, from, to, fraction) - from;
            // Float rounding of the stored checkpoints may move a draw by one across a tie only.
            if (got !== expected)
              expect(Math.abs(running[Math.min(got, expected)] - target)).toBeLessThanOrEqual(1e-6 * running.at(-1)!);
            else expect(got).toBe(expected);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses checkpoints of another count', () => {
    expect(
      () => new RunShares(new Uint8Array(32), new Float32Array(256), new Float32Array(1), RankBits.of([])),
    ).toThrow(RangeError);
    expect(checkpointsFor(15)).toBe(0);
    expect(checkpointsFor(32)).toBe(2);
  });

  it('stores one byte per continuation of the runs of two or more and four per 16 of them, each share near the exact one', () => {
    const model = train(lines(randomSentences(5, 300, 400, 12)), { maxPatternLength: 4, embeddingDim: 0 });
    const query = decodeImage(encodeImage(model, 's')).query;
    const contexts = query.offsets[query.order - 1];
    let singles = 0;
    for (let context = 0; context < contexts; context++) {
      const single = query.childTo(context) - query.childFrom(context) === 1;
      expect(query.shares.single.has(context)).toBe(single);
      if (single) singles++;
    }
    expect(singles).toBeGreaterThan(100);
    const coded = query.total - query.vocabularySize - singles;
    expect(query.shares.code.byteLength).toBe(coded);
    expect(query.shares.table.length).toBe(CODEBOOK_SIZE * 3);
    expect(query.shares.checkpoint.length).toBe(Math.floor(coded / 16));
    const { cumulative } = model.estimate;
    let worst = 0;
    for (let context = 0; context < contexts; context++) {
      const from = query.childFrom(context);
      for (let x = from; x < query.childTo(context); x++) {
        const exact = cumulative[x] - (x > from ? cumulative[x - 1] : 0);
        worst = Math.max(worst, Math.abs(Math.log(query.shareOf(context, x) / exact)));
      }
    }
    // A bin's half-width, as for the probabilities (a single continuation's: its backoff's).
    expect(worst).toBeLessThan(0.2);
  });
});

describe('rank bits (the single-continuation contexts)', () => {
  it('counts the ones before every index as a scan would, never reading outside its arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 700 }), (set) => {
        const built = RankBits.of(set.map(Number));
        const bits = new RankBits(guarded(built.bits), guarded(built.counts), set.length);
        let ones = 0;
        for (let i = 0; i <= set.length; i++) {
          expect(bits.rank(i)).toBe(ones);
          if (i < set.length) {
            expect(bits.has(i)).toBe(set[i]);
            if (set[i]) ones++;
          }
        }
        expect(bits.check(ones)).toBe(true);
        expect(bits.check(ones + 1)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses counts that are not those of its bits, and a bit past its length', () => {
    const bits = RankBits.of(Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 1 : 0)));
    expect(bits.counts.length).toBe(Math.floor(10 / RANK_WORDS) + 1);
    expect(popcount32(0xffffffff)).toBe(32);
    const wrongCount = new RankBits(bits.bits, bits.counts.slice(), 300);
    wrongCount.counts[1]++;
    expect(wrongCount.check(100)).toBe(false);
    const pastEnd = new RankBits(bits.bits.slice(), bits.counts, 300);
    pastEnd.bits[9] |= 1 << 31;
    expect(pastEnd.check(101)).toBe(false);
    expect(() => new RankBits(new Uint32Array(2), new Uint32Array(1), 300)).toThrow(RangeError);
  });
});

/** p(w | state) of one sampleMixture draw with allowEnd, from the stored shares (UNK and <s> redrawn). */
function mixtureOf(graph: QueryGraph, state: number): Map<number, number> {
  const dist = new Map<number, number>();
  const add = (w: number, p: number) => dist.set(w, (dist.get(w) ?? 0) + p);
  let weight = 1;
  for (let context = state; ; context = graph.suffixOf(context)) {
    if (context === ROOT) {
      const keep = 1 - graph.rootBackoff;
      const cumulative = graph.unigramCumulative;
      for (let w = 0; w < graph.vocabularySize; w++) add(w, weight * (cumulative[w] - (w > 0 ? cumulative[w - 1] : 0)));
      for (let w = 0; w < graph.vocabularySize; w++)
        if (w !== BOS_ID) add(w, (weight * (1 - keep)) / (graph.vocabularySize - 1));
      break;
    }
    const from = graph.childFrom(context);
    const to = graph.childTo(context);
    if (from === to) continue;
    const keep = 1 - graph.backoff(context);
    let whole = 0;
    for (let x = from; x < to; x++) whole += graph.shareOf(context, x);
    for (let x = from; x < to; x++) add(graph.word[x], (weight * keep * graph.shareOf(context, x)) / whole);
    weight *= 1 - keep;
  }
  dist.delete(UNK_ID);
  dist.delete(BOS_ID);
  let total = 0;
  for (const p of dist.values()) total += p;
  for (const [w, p] of dist) dist.set(w, p / total);
  return dist;
}

describe('exact sampling from the image', () => {
  it('draws each continuation with its stored probability (chi-square, fixed seed)', () => {
    const model = train(lines(randomSentences(9, 2000, 60, 10)), { maxPatternLength: 3, embeddingDim: 0 });
    const graph = decodeImage(encodeImage(model, 'c')).query;
    // A bigram context with many continuations, so the checkpoints are crossed.
    let state = -1;
    for (let context = graph.offsets[1]; context < graph.offsets[2]; context++)
      if (graph.childTo(context) - graph.childFrom(context) >= 40 && graph.backoff(context) < 0.9) {
        state = context;
        break;
      }
    expect(state).toBeGreaterThanOrEqual(0);
    const expected = mixtureOf(graph, state);
    const draws = 40_000;
    const seen = new Map<number, number>();
    const random = seededRandom(42);
    const activation = { count: 0 };
    for (let i = 0; i < draws; i++) {
      const w = sampleMixture(graph, state, random, true, activation);
      seen.set(w, (seen.get(w) ?? 0) + 1);
    }
    // Words expected at least 5 times each are their own cell; the rest share one.
    let chi = 0;
    let cells = 0;
    let restExpected = 0;
    let restSeen = 0;
    for (const [w, p] of expected) {
      const e = p * draws;
      const o = seen.get(w) ?? 0;
      if (e >= 5) {
        chi += (o - e) ** 2 / e;
        cells++;
      } else {
        restExpected += e;
        restSeen += o;
      }
    }
    for (const w of seen.keys()) expect(expected.has(w)).toBe(true);
    if (restExpected > 0) {
      chi += (restSeen - restExpected) ** 2 / restExpected;
      cells++;
    }
    const df = cells - 1;
    expect(df).toBeGreaterThan(30);
    // The 0.1 % critical value (Wilson–Hilferty).
    const z = 3.09;
    const critical = df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
    expect(chi).toBeLessThan(critical);
  });
});
