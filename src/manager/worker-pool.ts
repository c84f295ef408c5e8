// A fixed-size pool of worker threads that train, decode large model files and build their
// images. Workers start on first use and stay for the next task; a cancelled task's worker is
// terminated (the trainer is one synchronous loop and cannot be interrupted any other way) and
// replaced on demand. Ours rather than piscina: a new pool reaches its first result in ~75 ms
// against ~300 ms, and the next task after a cancel in ~75 ms against 300–490 ms (bench/pool.ts),
// and progress, spare buffers and cancellation by the caller's own reason are built in.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { Model, ModelFormatError } from '../lm/index.js';
import {
  TrainingWorkerError,
  type ImageTask,
  type LoadTask,
  type TrainingResult,
  type TrainingTask,
  type WorkerMessage,
  type WorkerTask,
} from './training-protocol.js';
import type { TrainPhase } from '../lm/types.js';

export type TrainingProgressListener = (phase: TrainPhase, fraction: number) => void;

export interface LoadOptions {
  spare?: ArrayBuffer[];
  returnSpare?: (spare: ArrayBuffer[]) => void;
  counts?: boolean;
}

/**
 * The worker runs `training-worker` with this module's own extension: `.js` in the compiled
 * build, `.mjs` in a bundle that puts both files side by side. Under tsx and vitest this module
 * is `.ts`, and Node 20 cannot start a worker on a .ts entry even with `--import tsx` in
 * execArgv; registering tsx inside each worker works but costs about a second per worker, so
 * the worker is bundled once per process with esbuild (which tsx itself runs on) into
 * node_modules/.cache and started as plain JavaScript. The tsx bootstrap remains the fallback.
 */
async function spawnTrainingWorker(): Promise<Worker> {
  const here = import.meta.url;
  const extension = here.slice(here.lastIndexOf('.'));
  const entry = new URL(`./training-worker${extension}`, here);
  if (extension !== '.ts') return new Worker(entry);
  developmentBundle ??= bundleForDevelopment(entry);
  const bundled = await developmentBundle;
  // Not the parent's execArgv: under tsx it would register tsx in the worker again, the very
  // cost the bundle avoids.
  if (bundled) return new Worker(bundled, { execArgv: [] });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

let developmentBundle: Promise<URL | null> | null = null;

interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array }[] }>;
}

async function bundleForDevelopment(entry: URL): Promise<URL | null> {
  try {
    // A variable specifier: esbuild is a development tool (tsx's), not a dependency of the bot.
    const specifier = 'esbuild';
    const esbuild = (await import(specifier)) as EsbuildLike;
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    // Inside the project, so the bundle's bare imports (msgpackr) resolve from node_modules.
    const projectRoot = join(dirname(fileURLToPath(entry)), '..', '..');
    const dir = join(projectRoot, 'node_modules', '.cache', 'ultraefficient');
    const file = join(dir, `training-worker-${hash}.mjs`);
    if (!existsSync(file)) {
      await mkdir(dir, { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, code);
      await rename(temp, file);
    }
    return pathToFileURL(file);
  } catch {
    return null;
  }
}

interface PooledWorker {
  /** Set once the thread exists (spawning may first build the development bundle). */
  worker: Worker | null;
  ready: Promise<Worker>;
  discarded: boolean;
}

export class WorkerPool {
  private readonly idle: PooledWorker[] = [];
  private readonly all = new Set<PooledWorker>();
  private readonly waiting: { take: (pooled: PooledWorker) => void; fail: (error: unknown) => void }[] = [];
  private closed = false;

  constructor(
    readonly size: number,
    private readonly spawn: () => Worker | Promise<Worker> = spawnTrainingWorker,
  ) {
    if (!(size >= 1)) throw new Error('the training pool needs at least one worker');
  }

  get workerCount(): number {
    return this.all.size;
  }

  /** Runs one training; rejects with `signal.reason` when aborted (the worker is terminated). */
  run(task: TrainingTask, onProgress: TrainingProgressListener, signal: AbortSignal): Promise<TrainingResult> {
    // Every buffer is moved, not cloned; a view of a shared buffer (Node's small-buffer pool)
    // is copied first, so that only its own bytes travel and the pool stays usable here.
    const files = task.files.map((file) => ({ ...file, bytes: ownBuffer(file.bytes) }));
    const base = task.base === null ? null : ownBuffer(task.base);
    const transfer = files.map((file) => file.bytes.buffer as ArrayBuffer);
    if (base) transfer.push(base.buffer as ArrayBuffer);
    return this.exchange<TrainingResult>(
      { ...task, files, base } satisfies TrainingTask,
      transfer,
      signal,
      (message) => {
        if (message.type === 'progress') onProgress(message.phase, message.fraction);
        else if (message.type === 'done')
          return {
            value: {
              bytes: message.bytes,
              image: message.image,
              stats: message.stats,
              sample: message.sample,
              sources: message.sources,
            },
          };
        else if (message.type === 'failed') {
          // A refusal of the input arrives as its code and params: the caller gets the same
          // UserError that parsing on the main thread would have thrown.
          return {
            error:
              message.kind === 'user'
                ? UserError.rebuild(message.code, message.params)
                : new TrainingWorkerError(message.kind, message.message),
          };
        }
        return undefined;
      },
    );
  }

  /**
   * Decodes a model file in a worker and moves the model's arrays back: the main thread only
   * rebuilds the object around them. Rejects with ModelFormatError for a file that is not a valid
   * model, TrainingWorkerError('internal') when the worker fails. `bytes` may be detached.
   * Options: `spare`, buffers of dropped models (Model.arrayBuffers), moved to the worker, whose
   * decoder puts each large array in the one that fits it best; `returnSpare` gets the others back
   * once the worker replies, whether the load succeeded or not (a worker that crashes loses them:
   * they are only memory); `counts: false` for a model that will only generate and score
   * (decode's option of that name).
   */
  load(bytes: Uint8Array, options: LoadOptions = {}): Promise<Model> {
    const owned = ownBuffer(bytes);
    const spare = options.spare ?? [];
    const returnSpare = options.returnSpare ?? (() => {});
    const task: LoadTask = { type: 'load', bytes: owned, spare, counts: options.counts ?? true };
    return this.exchange<Model>(
      task,
      [owned.buffer as ArrayBuffer, ...spare],
      new AbortController().signal,
      (message) => {
        if (message.type === 'loaded') {
          returnSpare(message.spare);
          return { value: Model.fromTransferable(message.model) };
        }
        if (message.type === 'load-failed') {
          returnSpare(message.spare);
          return { error: loadFailure(message) };
        }
        return undefined;
      },
    );
  }

  /**
   * Builds the model image of a model file in a worker (decode, then encodeImage with `source`).
   * Rejects with ModelFormatError for a file that is not a valid model, TrainingWorkerError
   * ('internal') when the worker fails. `bytes` may be detached.
   */
  buildImage(bytes: Uint8Array, source: string): Promise<Uint8Array> {
    const owned = ownBuffer(bytes);
    const task: ImageTask = { type: 'image', bytes: owned, source };
    return this.exchange<Uint8Array>(task, [owned.buffer as ArrayBuffer], new AbortController().signal, (message) => {
      if (message.type === 'imaged') return { value: message.image };
      if (message.type === 'load-failed') return { error: loadFailure(message) };
      return undefined;
    });
  }

  /**
   * One task on a pooled worker. `reply` reads each message and returns the outcome once the task
   * is over (undefined for interim messages such as progress); the worker then goes back to the
   * pool. A worker that crashes or exits, or whose task is aborted, is discarded instead.
   */
  private async exchange<T>(
    task: WorkerTask,
    transfer: ArrayBuffer[],
    signal: AbortSignal,
    reply: (message: WorkerMessage) => { value: T } | { error: unknown } | undefined,
  ): Promise<T> {
    const pooled = await this.acquire(signal);
    let worker: Worker;
    try {
      worker = await abortable(pooled.ready, signal);
    } catch (error) {
      this.discard(pooled);
      throw error;
    }
    return new Promise<T>((resolve, reject) => {
      const settle = (outcome: () => void, keepWorker: boolean) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
        if (keepWorker) this.release(pooled);
        else this.discard(pooled);
        outcome();
      };
      const onMessage = (message: WorkerMessage) => {
        const outcome = reply(message);
        if (outcome === undefined) return;
        if ('error' in outcome) settle(() => reject(outcome.error), true);
        else settle(() => resolve(outcome.value), true);
      };
      const onError = (error: Error) => settle(() => reject(new TrainingWorkerError('internal', error.message)), false);
      const onExit = (code: number) =>
        settle(() => reject(new TrainingWorkerError('internal', `the worker stopped (exit code ${code})`)), false);
      const onAbort = () => settle(() => reject(signal.reason), false);
      if (signal.aborted) return settle(() => reject(signal.reason), true);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      worker.ref();
      worker.postMessage(task, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.fail(new Error('the training pool is closed'));
    await Promise.all([...this.all].map((pooled) => this.terminate(pooled)));
    this.all.clear();
    this.idle.length = 0;
  }

  private acquire(signal: AbortSignal): Promise<PooledWorker> {
    if (this.closed) return Promise.reject(new Error('the training pool is closed'));
    if (signal.aborted) return Promise.reject(signal.reason);
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.size < this.size) return Promise.resolve(this.start());
    return new Promise<PooledWorker>((resolve, reject) => {
      const waiter = {
        take: (pooled: PooledWorker) => {
          signal.removeEventListener('abort', onAbort);
          resolve(pooled);
        },
        fail: (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private start(): PooledWorker {
    const pooled: PooledWorker = { worker: null, ready: Promise.resolve(null as unknown as Worker), discarded: false };
    pooled.ready = (async () => {
      const worker = await this.spawn();
      pooled.worker = worker;
      // A worker that dies while idle (out of memory, a bug) leaves the pool; the next job spawns another.
      worker.on('exit', () => this.forget(pooled));
      if (pooled.discarded) {
        void worker.terminate();
        throw new TrainingWorkerError('internal', 'the training worker was discarded while starting');
      }
      await new Promise<void>((resolve, reject) => {
        const onMessage = (message: WorkerMessage) => {
          if (message.type !== 'ready') return;
          cleanup();
          resolve();
        };
        const onError = (error: Error) => {
          cleanup();
          reject(new TrainingWorkerError('internal', `the training worker failed to start: ${error.message}`));
        };
        const onExit = (code: number) => {
          cleanup();
          reject(new TrainingWorkerError('internal', `the training worker failed to start (exit code ${code})`));
        };
        const cleanup = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
      });
      return worker;
    })();
    pooled.ready.catch(() => this.forget(pooled));
    this.all.add(pooled);
    return pooled;
  }

  private release(pooled: PooledWorker): void {
    if (!this.all.has(pooled)) return;
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.take(pooled);
      return;
    }
    // An idle worker must not keep the process alive.
    pooled.worker?.unref();
    this.idle.push(pooled);
  }

  private discard(pooled: PooledWorker): void {
    this.forget(pooled);
    void this.terminate(pooled);
    // The freed place lets a waiting job start a fresh worker.
    const waiter = this.waiting.shift();
    if (waiter && !this.closed) waiter.take(this.start());
  }

  private async terminate(pooled: PooledWorker): Promise<void> {
    pooled.discarded = true;
    if (pooled.worker) await pooled.worker.terminate();
  }

  private forget(pooled: PooledWorker): void {
    this.all.delete(pooled);
    const index = this.idle.indexOf(pooled);
    if (index >= 0) this.idle.splice(index, 1);
  }
}

/**
 * The bytes in a buffer of their own, to transfer: a view of part of a larger buffer (Node's
 * small-buffer pool, a file read into a larger allocation) is copied; a whole buffer is not.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  const owned =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  // new Uint8Array(view) copies; Buffer#slice would not.
  return owned ? bytes : new Uint8Array(bytes);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The error of a worker's failed load or image build: the file's own fault, or the worker's. */
function loadFailure(message: Extract<WorkerMessage, { type: 'load-failed' }>): Error {
  return message.formatKind !== null
    ? new ModelFormatError(message.formatKind, message.message)
    : new TrainingWorkerError('internal', message.message);
}
