// Layout 2 of the model image: bit-packed integers and the per-order codebooks (issue 16).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODEBOOK_SIZE, QueryGraph } from '../../src/lm/query-graph.js';
import { queryArraysOf } from '../../src/lm/image/query-arrays.js';
import { quantizeRange } from '../../src/lm/image/quantize.js';
import { UnaryStarts } from '../../src/lm/unary-starts.js';
import { bitsFor, PackedInts, wordsFor } from '../../src/lm/packed-ints.js';
import { decodeImage, encodeImage, train } from '../../src/lm/index.js';
import { lines, randomSentences } from './corpus-fixtures.js';

/** The words of `data` behind a guard that throws on any index outside the array. */
function guarded(data: Uint32Array): Uint32Array {
  return new Proxy(data, {
    get(target, property) {
      if (typeof property === 'string' && /^-?\d+$/.test(property)) {
        const index = Number(property);
        if (index < 0 || index >= target.length) throw new RangeError(`read of word ${index} of ${target.length}`);
        return target[index];
      }
      const value = (target as unknown as Record<string | symbol, unknown>)[property];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('bit-packed integers', () => {
  it('reads back every value at every width, never touching a word past the array', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 32 })
          .chain((width) =>
            fc.tuple(fc.constant(width), fc.array(fc.integer({ min: 0, max: 2 ** width - 1 }), { maxLength: 200 })),
          ),
        ([width, values]) => {
          const packed = PackedInts.pack(values, width);
          expect(packed.data.length).toBe(wordsFor(values.length, width));
          const reader = new PackedInts(guarded(packed.data), width, values.length);
          for (let i = 0; i < values.length; i++) expect(reader.get(i)).toBe(values[i]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('packs at the fewest bits that hold the largest value, and refuses a value that does not fit', () => {
    expect(bitsFor(0)).toBe(1);
    expect(bitsFor(1)).toBe(1);
    expect(bitsFor(2)).toBe(2);
    expect(bitsFor(3_130_000)).toBe(22);
    expect(bitsFor(2 ** 32 - 1)).toBe(32);
    expect(PackedInts.pack([5, 0, 7]).width).toBe(3);
    expect(() => PackedInts.pack([8], 3)).toThrow(RangeError);
    expect(() => new PackedInts(new Uint32Array(1), 3, 11)).toThrow(RangeError);
    expect(() => new PackedInts(new Uint32Array(2), 3, 10)).toThrow(RangeError);
  });
});

describe('unary child starts', () => {
  it('reads back every non-decreasing sequence and finds the last value at most any number, never touching a word outside its arrays', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5000 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 0, max: 100_000 }),
        (steps, start) => {
          // A running sum from `start`: flat runs (contexts without children), small steps, jumps.
          const values: number[] = [];
          let at = start;
          for (const step of steps) {
            at += step;
            values.push(at);
          }
          const packed = UnaryStarts.pack(values);
          expect(packed.check()).toBe(true);
          const reader = new UnaryStarts(
            guarded(packed.bits),
            guarded(packed.samples),
            guarded(packed.kept),
            values.length,
          );
          for (let i = 0; i < values.length; i++) expect(reader.get(i)).toBe(values[i]);
          // In another order too: a read after its predecessor's continues from it, any other starts afresh.
          for (let k = 0; k < values.length; k++) {
            const i = (k * 7919 + start) % values.length;
            expect(reader.get(i)).toBe(values[i]);
          }
          if (values.length === 0) return;
          // lastAtMost, as the query graph finds a node's parent: the last i with values[i] ≤ v.
          const last = values[values.length - 1];
          for (const v of [values[0], last, last + 7, ...values.map((x) => x + 1), ...values.map((x) => x - 1)]) {
            if (v < values[0]) continue;
            let expected = 0;
            while (expected + 1 < values.length && values[expected + 1] <= v) expected++;
            expect(reader.lastAtMost(v)).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes ~3.2 bits a value on the shape of a trie level (one or two children each), where 32-bit starts take 32', () => {
    const values: number[] = [];
    for (let i = 0, at = 2_000; i < 100_000; i++, at += 1 + (i % 5 === 0 ? 1 : 0)) values.push(at);
    const packed = UnaryStarts.pack(values);
    // 100,000 ones, ~122,000 zeros, and one 32-bit kept position in 32 values.
    expect((packed.byteLength * 8) / values.length).toBeLessThan(3.4);
  });

  it('refuses a sequence that goes down, and bits or kept positions that do not agree', () => {
    expect(() => UnaryStarts.pack([3, 2])).toThrow(RangeError);
    expect(() => UnaryStarts.pack([2 ** 31])).toThrow(RangeError);
    const values = Array.from({ length: 100 }, (_, i) => i * 3);
    const packed = UnaryStarts.pack(values);
    expect(packed.check()).toBe(true);
    const { bits, samples, kept } = packed;
    // A one too many, a one missing, a kept position moved or missing.
    for (const flip of [0, 1, 37, 100, 250]) {
      const damaged = bits.slice();
      damaged[flip >>> 5] ^= 1 << (flip & 31);
      expect(new UnaryStarts(damaged, samples, kept, 100).check(), `bit ${flip}`).toBe(false);
    }
    const moved = samples.slice();
    moved[1] += 1;
    expect(new UnaryStarts(bits, moved, kept, 100).check()).toBe(false);
    expect(new UnaryStarts(bits, samples.subarray(1), kept, 100).check()).toBe(false);
    expect(new UnaryStarts(bits.subarray(0, bits.length - 1), samples, kept, 100).check()).toBe(false);
    // A block whose ones lie far apart keeps its values; its index must point inside them, in order.
    const far = Array.from({ length: 70 }, (_, i) => (i === 40 ? 1000 : 0) + (i > 40 ? 1000 : 0) + i);
    const sparse = UnaryStarts.pack(far);
    expect(sparse.kept.length).toBe(32);
    expect(sparse.check()).toBe(true);
    for (let i = 0; i < far.length; i++) expect(sparse.get(i)).toBe(far[i]);
    expect(new UnaryStarts(sparse.bits, sparse.samples, sparse.kept.subarray(1), 70).check()).toBe(false);
    const shifted = sparse.samples.slice();
    shifted[1] += 1;
    expect(new UnaryStarts(sparse.bits, shifted, sparse.kept, 70).check()).toBe(false);
  });
});

describe('per-order codebooks', () => {
  it('codes follow the values, each entry is within the returned bound of its values, and the table is in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-9, max: 1, noNaN: true }), { minLength: 1, maxLength: 2000 }),
        (values) => {
          const input = Float64Array.from(values);
          const codes = new Uint8Array(input.length);
          const table = new Float32Array(CODEBOOK_SIZE);
          const bound = quantizeRange(input, 0, input.length, codes, table, 0);
          for (let i = 0; i < input.length; i++)
            expect(Math.abs(Math.log(table[codes[i]]) - Math.log(input[i]))).toBeLessThanOrEqual(bound + 1e-12);
          // In the order of the values, the codes never go down (equal values share one code).
          const byValue = [...input.keys()].sort((i, j) => input[i] - input[j]);
          for (let r = 1; r < byValue.length; r++) {
            const [before, after] = [byValue[r - 1], byValue[r]];
            if (input[before] === input[after]) expect(codes[after]).toBe(codes[before]);
            else expect(codes[after]).toBeGreaterThanOrEqual(codes[before]);
          }
          const used = [...new Set(codes)].sort((a, b) => a - b);
          for (let u = 1; u < used.length; u++) expect(table[used[u]]).toBeGreaterThanOrEqual(table[used[u - 1]]);
          // Fewer distinct values than codes: each keeps its own (as a 32-bit float).
          if (new Set(values).size <= 64)
            for (let i = 0; i < input.length; i++) expect(table[codes[i]]).toBeCloseTo(Math.fround(input[i]), 6);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stores one byte per probability and per coded backoff above the unigrams, packed child starts, and finds every suffix link', () => {
    const model = train(lines(randomSentences(11, 400, 300, 12)), { maxPatternLength: 4, embeddingDim: 0 });
    const query = decodeImage(encodeImage(model, 'p')).query;
    const total = query.total;
    const contexts = query.offsets[query.order - 1];
    expect(query.probCode.byteLength).toBe(total);
    // A code per context above the unigrams whose γ is not its level's implied one.
    expect(query.backoffCode.byteLength).toBe(
      contexts - query.vocabularySize - query.backoffImplied.rank(contexts - query.vocabularySize),
    );
    expect(query.probTable.length).toBe(CODEBOOK_SIZE * 3);
    expect(query.backoffTable.length).toBe(CODEBOOK_SIZE * 2);
    // Stored links (here, the trigrams' of a graph that keeps them) less their level's smallest:
    // the bits of the largest such distance, fewer than a context's.
    const linked = queryArraysOf(model.graph, model.estimate, 1);
    let widest = 0;
    for (let node = query.offsets[2]; node < contexts; node++)
      widest = Math.max(widest, model.graph.suffix[node] - linked.suffixBases[0]);
    expect(linked.suffix.width).toBe(bitsFor(widest));
    expect(linked.suffix.width).toBeLessThan(bitsFor(contexts));
    // Every link as the exact graph has it: stored, or searched from the parent's (the 4-grams'
    // of an order-5 model) or from the context of a highest-order n-gram, in a pruned model too,
    // where an n-gram's own suffix may be gone and a shorter one is taken.
    for (const order of [4, 5, 6]) {
      const full = train(lines(randomSentences(11, 400, 300, 12)), { maxPatternLength: order, embeddingDim: 0 });
      const pruned = train(lines(randomSentences(11, 400, 300, 12)), {
        maxPatternLength: order,
        embeddingDim: 0,
        maxPatterns: 3000,
      });
      expect(pruned.provenance.pruned).toBe(true);
      expect(pruned.stats.patterns).toBeLessThan(full.stats.patterns);
      for (const exact of [full, pruned]) {
        const q = decodeImage(encodeImage(exact, 'p')).query;
        const top = q.offsets[q.order - 1];
        // No link is stored (LINKED_LEVELS): every one from the trigrams up is searched.
        expect(q.linkedTo).toBe(q.offsets[2]);
        expect(q.suffix.length).toBe(0);
        for (let node = 0; node < top; node++) expect(q.suffixOf(node)).toBe(exact.graph.suffix[node]);
        // Again, from the memo of searched links.
        for (let node = top - 1; node >= 0; node--) expect(q.suffixOf(node)).toBe(exact.graph.suffix[node]);
        // A graph that stores the links of some levels (a reader takes any number) reads them back.
        for (const levels of [1, 2]) {
          const linked = new QueryGraph(queryArraysOf(exact.graph, exact.estimate, levels));
          expect(linked.linkedTo).toBe(q.offsets[Math.min(2 + levels, q.order - 1)]);
          for (let node = 0; node < top; node++) expect(linked.suffixOf(node)).toBe(exact.graph.suffix[node]);
        }
        for (let node = q.offsets[1]; node < q.total; node++) {
          const parent = q.parentOf(node);
          expect(q.childFrom(parent) <= node && node < q.childTo(parent)).toBe(true);
        }
        // Entering every state from its parent (what the walks do), then its link from that memo.
        for (let context = q.offsets[1]; context < q.offsets[q.order - 2]; context++)
          for (let node = q.childFrom(context); node < q.childTo(context); node++) {
            expect(q.stateAfter(context, node)).toBe(node);
            expect(q.suffixOf(node)).toBe(exact.graph.suffix[node]);
          }
        for (let context = q.offsets[q.order - 2]; context < top; context++)
          for (let node = q.childFrom(context); node < q.childTo(context); node++)
            expect(q.stateAfter(context, node)).toBe(exact.graph.suffix[node]);
      }
    }
    for (let context = 0; context <= contexts; context++)
      expect(query.childStart.get(context)).toBe(model.graph.childStart[context]);
  });
});

describe('searched suffix links', () => {
  it('counts the memos of searched links among the resident bytes the cache budget reads', () => {
    const model = decodeImage(encodeImage(train(lines(randomSentences(3, 200, 100, 10)), { embeddingDim: 0 }), 'm'));
    expect(model.query.memoBytes).toBe(4 * 256 * 4);
    model.generate({ seed: 1 });
    expect(model.residentBytes()).toBeGreaterThanOrEqual(model.memoryBytes() + model.query.memoBytes);
  });
});
