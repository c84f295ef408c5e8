import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { WorkerPool } from '../src/manager/worker-pool.js';
import type { TrainingTask } from '../src/manager/training-protocol.js';
import { loadBrown } from './brown.js';
import { bundle } from './bundle.js';

const _here = dirname(fileURLToPath(import.meta.url));
const tiny = new TextEncoder().encode('the cat sat on the mat\nthe dog sat on the log\n');
const { train: brownLines } = loadBrown();
const long = new TextEncoder().encode(brownLines.slice(0, 30_000).join('\n'));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(1)} ms`;

function ourTask(bytes: Uint8Array): TrainingTask {
  return {
    type: 'train',
    jobId: 'bench',
    files: [{ name: 'bench.txt', format: 'txt', bytes: bytes.slice() }],
    params: {},
    base: null,
    createdAt: 0,
    seed: 1,
  };
}

async function piscinaWorkerFile(): Promise<string> {
  return pathToFileURL(bundle('bench/pool-piscina-worker.ts', 'bench-piscina-worker.mjs')).href;
}

function piscinaRun(pool: Piscina, bytes: Uint8Array, signal?: AbortSignal, onProgress?: () => void) {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', () => onProgress?.());
  const copy = bytes.slice();
  return pool
    .run({ bytes: copy, port: port2 }, { transferList: [port2, copy.buffer], ...(signal ? { signal } : {}) })
    .finally(() => port1.close());
}

const noProgress = () => {};

async function ours() {
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const pool = new WorkerPool(1);
    await pool.run(ourTask(tiny), noProgress, new AbortController().signal);
    startups.push(performance.now() - started);
    await pool.close();
  }
  const pool = new WorkerPool(1);
  await pool.run(ourTask(tiny), noProgress, new AbortController().signal);
  const trips: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await pool.run(ourTask(tiny), noProgress, new AbortController().signal);
    trips.push(performance.now() - started);
  }
  const controller = new AbortController();
  let abortedAt = 0;
  const running = pool.run(
    ourTask(long),
    () => {
      if (abortedAt === 0) {
        abortedAt = performance.now();
        controller.abort(new Error('cancelled'));
      }
    },
    controller.signal,
  );
  const rejected = await running.then(
    () => 'resolved',
    (error: Error) => error.message,
  );
  const rejectMs = performance.now() - abortedAt;
  const workersAfter = pool.workerCount;
  const next = performance.now();
  await pool.run(ourTask(tiny), noProgress, new AbortController().signal);
  const nextMs = performance.now() - next;
  await pool.close();
  return { startups, trips, rejected, rejectMs, workersAfter, nextMs };
}

async function withPiscina(filename: string) {
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const pool = new Piscina({ filename, minThreads: 0, maxThreads: 1, idleTimeout: 60_000 });
    await piscinaRun(pool, tiny);
    startups.push(performance.now() - started);
    await pool.destroy();
  }
  const pool = new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: 60_000 });
  await piscinaRun(pool, tiny);
  const trips: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await piscinaRun(pool, tiny);
    trips.push(performance.now() - started);
  }
  const controller = new AbortController();
  let abortedAt = 0;
  const running = piscinaRun(pool, long, controller.signal, () => {
    if (abortedAt === 0) {
      abortedAt = performance.now();
      controller.abort(new Error('cancelled'));
    }
  });
  const rejected = await running.then(
    () => 'resolved',
    (error: Error) => `${error.name}: ${error.message}`,
  );
  const rejectMs = performance.now() - abortedAt;
  const workersAfter = pool.threads.length;
  const next = performance.now();
  await piscinaRun(pool, tiny);
  const nextMs = performance.now() - next;
  await pool.destroy();
  return { startups, trips, rejected, rejectMs, workersAfter, nextMs };
}

const filename = await piscinaWorkerFile();
for (const [name, result] of [
  ['ours', await ours()],
  ['piscina', await withPiscina(filename)],
] as const) {
  console.log(
    `${name.padEnd(8)} start-up ${ms(median(result.startups))} (first ${ms(result.startups[0])}); warm round trip ${ms(median(result.trips))}; ` +
      `cancel: rejects in ${ms(result.rejectMs)} (${result.rejected}), threads after ${result.workersAfter}, next task ${ms(result.nextMs)}`,
  );
}
