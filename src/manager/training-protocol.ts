// Messages between the manager (main thread) and a training worker. Buffers are transferred,
// never copied: the corpus goes in as one UTF-8 buffer (cloning tens of thousands of strings
// would stall the main thread), the model comes back as its encoded `.ulm` bytes.
import type { TransferableModel } from '../lm/index.js';
import type { ModelFormatErrorKind, ModelStats, TrainParams, TrainPhase } from '../lm/types.js';

export interface TrainingTask {
  type: 'train';
  jobId: string;
  /** UTF-8 text, one training line per line. */
  corpus: Uint8Array;
  params: Partial<TrainParams>;
  /** The `.ulm` bytes of the model to append to; null trains a new model. */
  base: Uint8Array | null;
  /** Written into the file header. */
  createdAt: number;
  seed: number;
}

/**
 * Decoding a model file: a large one takes the main thread hundreds of milliseconds (a second for
 * the Brown corpus at order 5), so the manager has a worker do it and move the arrays back.
 */
export interface LoadTask {
  type: 'load';
  bytes: Uint8Array;
}

export type WorkerTask = TrainingTask | LoadTask;

export type TrainingFailureKind = 'empty' | 'bad-params' | 'base-format' | 'internal';

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; phase: TrainPhase; fraction: number }
  | { type: 'done'; bytes: Uint8Array; stats: ModelStats; sample: string }
  | { type: 'failed'; kind: TrainingFailureKind; message: string }
  | { type: 'loaded'; model: TransferableModel }
  | { type: 'load-failed'; formatKind: ModelFormatErrorKind | null; message: string };

export interface TrainingResult {
  bytes: Uint8Array;
  stats: ModelStats;
  sample: string;
}

/** A training that ended in the worker with an error (the worker itself survives). */
export class TrainingWorkerError extends Error {
  constructor(
    readonly kind: TrainingFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingWorkerError';
  }
}
