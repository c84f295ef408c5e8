// `ultra train` computes the embeddings in a worker thread (src/cli/embeddings-apart.ts) while the
// main thread encodes the n-grams: the same table and the same file as training in one thread,
// and the same again when there is no worker or the worker fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledWorkerEntry, EmbeddingsApart } from '../../src/cli/embeddings-apart.js';
import {
  embeddingsOf,
  encode,
  encodeApart,
  train,
  trainWithEmbeddingsApart,
  type EmbeddingJob,
  type Model,
} from '../../src/lm/index.js';

const TEXT = Array.from(
  { length: 300 },
  (_, i) =>
    `the ${['cat', 'dog', 'bird', 'fox'][i % 4]} number ${i % 37} sat on the ${['mat', 'log', 'hill'][i % 3]} .`,
);
const PARAMS = { maxPatternLength: 4, embeddingDim: 8 };

let dir: string;
/** The worker as the build compiles it: one plain JavaScript file (vitest runs the sources). */
let workerEntry: URL;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ultra-embeddings-apart-'));
  const outfile = join(dir, 'embeddings-worker.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '../../src/cli/embeddings-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  });
  workerEntry = pathToFileURL(outfile);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** trainWithEmbeddingsApart with the embeddings from `apart`, encoded in two steps as ultra train does. */
async function trainApart(
  apart: EmbeddingsApart,
): Promise<{ model: Model; bytes: Uint8Array; computedBy: EmbeddingsApart['computedBy'] }> {
  const trained = trainWithEmbeddingsApart(TEXT, PARAMS, {}, apart.start);
  const finish = encodeApart(trained);
  const table = await apart.table();
  const model = table === null ? trained : trained.withEmbeddings(table);
  return { model, bytes: finish(model, 1234), computedBy: apart.computedBy };
}

/** Jobs handed over by trainWithEmbeddingsApart, computed here by the test. */
const jobs: EmbeddingJob[] = [];
const collect = (job: EmbeddingJob) => {
  jobs.push(job);
};

describe('embeddings apart from the rest of training', () => {
  it('writes the file train writes, with the embeddings from the worker thread', async () => {
    const expected = encode(train(TEXT, PARAMS), 1234);
    const { model, bytes, computedBy } = await trainApart(new EmbeddingsApart(workerEntry));
    expect(computedBy).toBe('worker');
    expect(model.embeddings?.count).toBeGreaterThan(3);
    expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
  }, 30_000);

  it('writes the file train writes for pruned models and with a validation split', async () => {
    for (const params of [
      { ...PARAMS, minFrequency: 2 },
      { ...PARAMS, maxPatterns: 400 },
      { ...PARAMS, validation: 0.2 },
    ]) {
      const trained = trainWithEmbeddingsApart(TEXT, params, {}, collect);
      const expected = Buffer.from(encode(train(TEXT, params), 1234));
      const finish = encodeApart(trained);
      const model = trained.withEmbeddings(embeddingsOf(jobs.pop() as EmbeddingJob));
      expect([params, Buffer.from(finish(model, 1234)).equals(expected)]).toEqual([params, true]);
    }
  });

  it('writes the same file without a worker (entry null: the sources run through tsx)', async () => {
    const expected = encode(train(TEXT, PARAMS), 1234);
    const { bytes, computedBy } = await trainApart(new EmbeddingsApart(null));
    expect(computedBy).toBe('this thread');
    expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
  });

  it('computes the embeddings here when the worker fails to start or throws', async () => {
    const throwing = join(dir, 'throwing-worker.mjs');
    writeFileSync(throwing, "throw new Error('broken worker');\n");
    const silent = join(dir, 'silent-worker.mjs');
    writeFileSync(silent, 'process.exit(0);\n');
    const expected = encode(train(TEXT, PARAMS), 1234);
    for (const entry of [pathToFileURL(throwing), pathToFileURL(silent), pathToFileURL(join(dir, 'missing.mjs'))]) {
      const { bytes, computedBy } = await trainApart(new EmbeddingsApart(entry));
      expect(computedBy).toBe('this thread');
      expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
    }
  }, 30_000);

  it('hands over no job without embeddings to train, and then has no table', async () => {
    let jobs = 0;
    const apart = new EmbeddingsApart(workerEntry);
    const start = apart.start;
    const trained = trainWithEmbeddingsApart(TEXT, { ...PARAMS, embeddingDim: 0 }, {}, (job: EmbeddingJob) => {
      jobs++;
      start(job);
    });
    expect(jobs).toBe(0);
    expect(await apart.table()).toBeNull();
    expect(trained.embeddings).toBeNull();
  });

  it('gives the worker the job whose table embeddingsOf computes here', async () => {
    let job: EmbeddingJob | null = null;
    const apart = new EmbeddingsApart(workerEntry);
    trainWithEmbeddingsApart(TEXT, PARAMS, {}, (started) => {
      job = started;
      apart.start(started);
    });
    expect(job).not.toBeNull();
    expect(await apart.table()).toEqual(embeddingsOf(job as unknown as EmbeddingJob));
    expect(apart.computedBy).toBe('worker');
  }, 30_000);

  it('finds no compiled worker beside the TypeScript sources', () => {
    expect(compiledWorkerEntry()).toBeNull();
  });
});

describe('encodeApart', () => {
  it('refuses a model of other n-grams than the ones it encoded', () => {
    const finish = encodeApart(train(TEXT, { ...PARAMS, embeddingDim: 0 }));
    expect(() => finish(train(TEXT.slice(1), { ...PARAMS, embeddingDim: 0 }), 0)).toThrow(RangeError);
  });
});
