// Worker thread entry: parses the uploaded files and runs the src/lm trainer (and model decoding)
// off the main event loop. One task at a time; the pool terminates the thread to cancel, so
// neither needs cancellation checks.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { isUserError } from '../errors.js';
import { parseSources } from '../ingest/index.js';
import { createHash } from 'node:crypto';
import {
  decode,
  encode,
  encodeImage,
  ModelFormatError,
  train,
  trainAppend,
  TrainingInputError,
  type TrainPhase,
} from '../lm/index.js';
import type { ImageTask, LoadTask, SourceSummary, WorkerMessage, WorkerTask } from './training-protocol.js';

/** Progress is posted at most this often (phase changes always), so messages never pile up. */
const PROGRESS_INTERVAL_MS = 100;

const port = parentPort;
if (port === null) throw new Error('training-worker must run in a worker thread');

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Nice value of a thread that trains: batch work, below the bot's interactive main thread. */
const TRAINING_NICE = 10;
let lowered = false;

/**
 * Trainings yield the processor to the main thread: on a machine with as many busy trainings as
 * cores, commands would otherwise wait for a time slice (bench:bot measured a 200 ms p99 on 2
 * cores). On Linux a nice value set with pid 0 applies to the calling thread only, so the main
 * thread and the loader thread (model loads someone is waiting for) keep theirs. Unprivileged
 * threads cannot lower it back, so only threads that train take it; where the platform refuses,
 * training simply runs at the normal priority.
 */
function lowerPriorityForTraining(): void {
  if (lowered) return;
  lowered = true;
  try {
    setPriority(0, TRAINING_NICE);
  } catch {
    // Not permitted or not supported: nothing to do.
  }
}

port.on('message', (task: WorkerTask) => {
  if (task.type === 'load') return load(task);
  if (task.type === 'image') return image(task);
  if (task.type !== 'train') return;
  lowerPriorityForTraining();
  try {
    let lastPhase: TrainPhase | null = null;
    let lastPost = 0;
    const onProgress = ({ phase, fraction }: { phase: TrainPhase; fraction: number }) => {
      const now = performance.now();
      if (phase === lastPhase && now - lastPost < PROGRESS_INTERVAL_MS) return;
      lastPhase = phase;
      lastPost = now;
      post({ type: 'progress', phase, fraction });
    };
    // Decoding and extracting the lines is the start of the first training phase.
    onProgress({ phase: 'tokenize', fraction: 0 });
    const ingested = parseSources(task.files);
    const sources: SourceSummary[] = ingested.files.map((file) => ({
      name: file.name,
      lines: file.lines.length,
      bytes: file.bytes,
      format: file.format,
      encoding: file.encoding,
    }));
    // The raw bytes and per-file arrays are not needed past this point: let them be collected
    // while the model trains.
    task.files.length = 0;
    ingested.files.length = 0;
    const text = ingested.lines;
    const options = { onProgress, now: () => performance.now(), seed: task.seed };
    let model;
    if (task.base === null) {
      model = train(text, task.params, options);
    } else {
      let base;
      try {
        base = decode(task.base);
      } catch (error) {
        if (error instanceof ModelFormatError) {
          post({ type: 'failed', kind: 'base-format', message: `${error.kind}: ${error.message}` });
          return;
        }
        throw error;
      }
      model = trainAppend(base, text, options);
    }
    const bytes = ownBuffer(encode(model, task.createdAt));
    // The image the manager loads this model from (src/lm/image/), named by the file's checksum.
    const modelImage = ownBuffer(encodeImage(model, createHash('sha256').update(bytes).digest('hex')));
    // The product's defaults, as /generate gives them: `/generate seed:<training seed>` repeats it.
    const sample = model.generate({ seed: task.seed }).text;
    post(
      {
        type: 'done',
        bytes,
        image: modelImage,
        stats: { ...model.stats, imageBytes: modelImage.length },
        sample,
        sources,
      },
      [bytes.buffer as ArrayBuffer, modelImage.buffer as ArrayBuffer],
    );
  } catch (error) {
    if (isUserError(error)) {
      // A refusal of the input (parseSources): the manager rebuilds the same UserError.
      post({ type: 'failed', kind: 'user', code: error.code, params: error.params });
    } else if (error instanceof TrainingInputError) {
      post({ type: 'failed', kind: error.kind, message: error.message });
    } else {
      post({ type: 'failed', kind: 'internal', message: error instanceof Error ? error.message : String(error) });
    }
  }
});

function load(task: LoadTask): void {
  const spare = task.spare;
  try {
    const { model, transfer } = decode(task.bytes, { spare, counts: task.counts }).toTransferable();
    post({ type: 'loaded', model, spare }, [...transfer, ...spare]);
  } catch (error) {
    const formatKind = error instanceof ModelFormatError ? error.kind : null;
    post(
      { type: 'load-failed', formatKind, message: error instanceof Error ? error.message : String(error), spare },
      spare,
    );
  }
}

function image(task: ImageTask): void {
  try {
    const bytes = ownBuffer(encodeImage(decode(task.bytes, { counts: false }), task.source));
    post({ type: 'imaged', image: bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    const formatKind = error instanceof ModelFormatError ? error.kind : null;
    post({
      type: 'load-failed',
      formatKind,
      message: error instanceof Error ? error.message : String(error),
      spare: [],
    });
  }
}

/** Transferring a view of a shared buffer (an encoder's pool) would detach the whole pool. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

post({ type: 'ready' });
