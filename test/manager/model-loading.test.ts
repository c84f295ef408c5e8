import { afterAll, describe, expect, it } from 'vitest';
import { ModelFormatError, decode, encode, train } from '../../src/lm/index.js';
import { WorkerPool } from '../../src/manager/worker-pool.js';

const byNumber = (a: number, b: number) => a - b;

describe('decoding model files in a worker', () => {
  const pool = new WorkerPool(1);
  afterAll(() => pool.close());
  const lines = Array.from({ length: 200 }, (_, i) => `the ${i % 7} cat sat on mat ${i % 11} and slept ${i % 3}`);
  const bytes = encode(train(lines, { maxPatternLength: 3, embeddingDim: 4 }), 0);

  it('moves back the model the file holds', async () => {
    const loaded = await pool.load(bytes.slice());
    const expected = decode(bytes);
    expect(encode(loaded, 0)).toEqual(bytes);
    expect(loaded.generate({ seed: 2 }).text).toBe(expected.generate({ seed: 2 }).text);
    expect(Array.from(loaded.estimate.prob)).toEqual(Array.from(expected.estimate.prob));
  });

  it('reports a damaged file as a model format error and keeps working', async () => {
    const damaged = bytes.slice();
    damaged[damaged.length - 5] ^= 0xff;
    const error = await pool.load(damaged).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as ModelFormatError).kind).toBe('checksum');
    expect((await pool.load(bytes.slice())).order).toBe(3);
    expect(pool.workerCount).toBe(1);
  });

  it('decodes into the spare buffers it is given and hands back the others, also when the file is damaged', async () => {
    const sizes = decode(bytes)
      .arrayBuffers()
      .map((buffer) => buffer.byteLength);
    const spare = sizes.map((size) => new Uint8Array(size).fill(0x5a).buffer);
    const unfit = new ArrayBuffer(7);
    let back: ArrayBuffer[] = [];
    const loaded = await pool.load(bytes.slice(), { spare: [...spare, unfit], returnSpare: (rest) => (back = rest) });
    expect(spare.every((buffer) => buffer.byteLength === 0)).toBe(true); // moved to the worker
    expect(back.map((buffer) => buffer.byteLength)).toEqual([7]);
    expect(
      loaded
        .arrayBuffers()
        .map((buffer) => buffer.byteLength)
        .sort(byNumber),
    ).toEqual([...sizes].sort(byNumber));
    expect(loaded.generate({ seed: 2 }).text).toBe(decode(bytes).generate({ seed: 2 }).text);

    const damaged = bytes.slice();
    damaged[damaged.length - 5] ^= 0xff;
    const again = loaded.arrayBuffers();
    const error = await pool
      .load(damaged, { spare: again, returnSpare: (rest) => (back = rest) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(back.map((buffer) => buffer.byteLength).sort(byNumber)).toEqual([...sizes].sort(byNumber));
  });
});
