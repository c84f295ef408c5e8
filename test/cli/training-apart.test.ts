// `ultra train` computes the embeddings and then the image's query graph in a worker thread
// (src/cli/training-apart.ts) while the main thread counts, builds the model and encodes the
// n-grams: the same table, the same file and the same image as training in one thread, and the
// same again when there is no worker or the worker fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledWorkerEntry, TrainingApart } from '../../src/cli/training-apart.js';
import { loadBrown } from '../../bench/brown.js';
import {
  embeddingsOf,
  encode,
  encodeApart,
  encodeImage,
  sharedArrays,
  train,
  trainWithEmbeddingsApart,
  type EmbeddingJob,
  type Model,
  type TrainParams,
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
  dir = mkdtempSync(join(tmpdir(), 'ultra-training-apart-'));
  const outfile = join(dir, 'training-apart-worker.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '../../src/cli/training-apart-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  });
  workerEntry = pathToFileURL(outfile);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * ultra train's path: trainWithEmbeddingsApart on shared arrays, the embeddings and then the
 * image's query part from `apart`, the file encoded in two steps.
 */
async function trainApart(
  apart: TrainingApart,
  text: string[] = TEXT,
  params: Partial<TrainParams> = PARAMS,
): Promise<{ model: Model; bytes: Uint8Array; image: Uint8Array }> {
  const trained = trainWithEmbeddingsApart(text, params, { arrays: sharedArrays }, apart.start);
  apart.startQueryImage(trained);
  const finish = encodeApart(trained);
  const table = await apart.table();
  const model = table === null ? trained : trained.withEmbeddings(table);
  const bytes = finish(model, 1234);
  const image = encodeImage(model, 'source', await apart.queryImagePart());
  await apart.close();
  return { model, bytes, image };
}

/** The model file and image of training in one thread. */
function trainHere(text: string[] = TEXT, params: Partial<TrainParams> = PARAMS): { bytes: Buffer; image: Buffer } {
  const model = train(text, params);
  return { bytes: Buffer.from(encode(model, 1234)), image: Buffer.from(encodeImage(model, 'source')) };
}

/** Jobs handed over by trainWithEmbeddingsApart, computed here by the test. */
const jobs: EmbeddingJob[] = [];
const collect = (job: EmbeddingJob) => {
  jobs.push(job);
};

describe('training apart: embeddings and the image query graph in a worker thread', () => {
  it('writes the file and the image train writes, with both parts from the worker thread', async () => {
    const expected = trainHere();
    const apart = new TrainingApart(workerEntry);
    const { model, bytes, image } = await trainApart(apart);
    expect([apart.computedBy, apart.queryImageBy]).toEqual(['worker', 'worker']);
    expect(model.embeddings?.count).toBeGreaterThan(3);
    expect(Buffer.from(bytes).equals(expected.bytes)).toBe(true);
    expect(Buffer.from(image).equals(expected.image)).toBe(true);
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

  it('writes the file and the image train writes for pruned models, a validation split and no embeddings', async () => {
    for (const params of [
      { ...PARAMS, minFrequency: 2 },
      { ...PARAMS, maxPatterns: 400 },
      { ...PARAMS, validation: 0.2 },
      { ...PARAMS, embeddingDim: 0 },
    ]) {
      const expected = trainHere(TEXT, params);
      const apart = new TrainingApart(workerEntry);
      const { bytes, image } = await trainApart(apart, TEXT, params);
      expect([params, apart.queryImageBy]).toEqual([params, 'worker']);
      expect([params, Buffer.from(bytes).equals(expected.bytes), Buffer.from(image).equals(expected.image)]).toEqual([
        params,
        true,
        true,
      ]);
    }
  }, 60_000);

  it("writes Brown's order-5 file and image as train does, to the byte", async () => {
    const text = loadBrown().train;
    const params = { maxPatternLength: 5 };
    const expected = trainHere(text, params);
    const apart = new TrainingApart(workerEntry);
    const { model, bytes, image } = await trainApart(apart, text, params);
    expect([apart.computedBy, apart.queryImageBy]).toEqual(['worker', 'worker']);
    expect(model.stats.patterns).toBeGreaterThan(3_000_000);
    expect(Buffer.from(bytes).equals(expected.bytes)).toBe(true);
    expect(Buffer.from(image).equals(expected.image)).toBe(true);
  }, 180_000);

  it('writes the same file and image without a worker (entry null: the sources run through tsx)', async () => {
    const expected = trainHere();
    const apart = new TrainingApart(null);
    const { bytes, image } = await trainApart(apart);
    expect([apart.computedBy, apart.queryImageBy]).toEqual(['this thread', 'this thread']);
    expect(Buffer.from(bytes).equals(expected.bytes)).toBe(true);
    expect(Buffer.from(image).equals(expected.image)).toBe(true);
  });

  it('computes both parts here when the worker fails to start, throws, or stops after the embeddings', async () => {
    const throwing = join(dir, 'throwing-worker.mjs');
    writeFileSync(throwing, "throw new Error('broken worker');\n");
    const silent = join(dir, 'silent-worker.mjs');
    writeFileSync(silent, 'process.exit(0);\n');
    // The real worker, but it exits instead of answering with the image's query part.
    const exitOnQueryImage = join(dir, 'exit-on-query-image.mjs');
    writeFileSync(
      exitOnQueryImage,
      [
        "import { parentPort } from 'node:worker_threads';",
        'const post = parentPort.postMessage.bind(parentPort);',
        "parentPort.postMessage = (reply, transfer) => (reply.kind === 'query-image' ? process.exit(0) : post(reply, transfer));",
        '',
      ].join('\n'),
    );
    const embeddingsOnly = join(dir, 'embeddings-only-worker.mjs');
    writeFileSync(embeddingsOnly, `import './exit-on-query-image.mjs';\nimport ${JSON.stringify(workerEntry.href)};\n`);
    const expected = trainHere();
    for (const entry of [pathToFileURL(throwing), pathToFileURL(silent), pathToFileURL(join(dir, 'missing.mjs'))]) {
      const apart = new TrainingApart(entry);
      const { bytes, image } = await trainApart(apart);
      expect([apart.computedBy, apart.queryImageBy]).toEqual(['this thread', 'this thread']);
      expect(Buffer.from(bytes).equals(expected.bytes)).toBe(true);
      expect(Buffer.from(image).equals(expected.image)).toBe(true);
    }
    const apart = new TrainingApart(pathToFileURL(embeddingsOnly));
    const { bytes, image } = await trainApart(apart);
    expect([apart.computedBy, apart.queryImageBy]).toEqual(['worker', 'this thread']);
    expect(Buffer.from(bytes).equals(expected.bytes)).toBe(true);
    expect(Buffer.from(image).equals(expected.image)).toBe(true);
  }, 30_000);

  it('hands over no job without embeddings to train, and then has no table', async () => {
    let jobs = 0;
    const apart = new TrainingApart(workerEntry);
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
    const apart = new TrainingApart(workerEntry);
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
