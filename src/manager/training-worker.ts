// Worker thread entry: runs the src/lm trainer (and model decoding) off the main event loop. One task at a time;
// the pool terminates the thread to cancel, so the trainer needs no cancellation checks.
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { decode, encode, ModelFormatError, train, trainAppend, TrainingInputError, type TrainPhase } from '../lm/index.js';
import type { LoadTask, WorkerMessage, WorkerTask } from './training-protocol.js';
import { withGenerationDefaults } from './generation-defaults.js';

/** Progress is posted at most this often (phase changes always), so messages never pile up. */
const PROGRESS_INTERVAL_MS = 100;

const port = parentPort;
if (port === null) throw new Error('training-worker must run in a worker thread');

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (task: WorkerTask) => {
  if (task.type === 'load') return load(task);
  if (task.type !== 'train') return;
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
    const text = new TextDecoder().decode(task.corpus);
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
    const sample = model.generate(withGenerationDefaults({ maxLength: 24, seed: task.seed })).text;
    post({ type: 'done', bytes, stats: model.stats, sample }, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    if (error instanceof TrainingInputError) {
      post({ type: 'failed', kind: error.kind, message: error.message });
    } else {
      post({ type: 'failed', kind: 'internal', message: error instanceof Error ? error.message : String(error) });
    }
  }
});

function load(task: LoadTask): void {
  try {
    const { model, transfer } = decode(task.bytes).toTransferable();
    post({ type: 'loaded', model }, transfer);
  } catch (error) {
    const formatKind = error instanceof ModelFormatError ? error.kind : null;
    post({ type: 'load-failed', formatKind, message: error instanceof Error ? error.message : String(error) });
  }
}

/** Transferring a view of a shared buffer (an encoder's pool) would detach the whole pool. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

post({ type: 'ready' });
