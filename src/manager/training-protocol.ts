// Messages between the manager (main thread) and a training worker. Buffers are transferred,
// never copied: the uploaded files go in as the raw bytes the manager read (the worker decodes
// and parses them: on the main thread that took ~100 ms for a 5.5 MB upload), the model comes
// back as its encoded `.ulm` bytes.
import type { CleanMode } from '../ingest/clean.js';
import type { ErrorCode, ErrorParams } from '../errors.js';
import type { TextEncoding, TextFormat } from '../ingest/index.js';
import type { TransferableModel } from '../lm/index.js';
import type { ModelFormatErrorKind, ModelStats, TrainParams, TrainPhase } from '../lm/types.js';

/** One uploaded file as read, not yet decoded. */
interface TrainingFile {
  name: string;
  format: TextFormat;
  /** Transferred to the worker (detached here once posted). */
  bytes: Uint8Array;
  clean?: CleanMode;
}

/** What the manager reports per file (TrainOutcome.sources), counted by the worker's parse. */
export interface SourceSummary {
  name: string;
  lines: number;
  bytes: number;
  format: TextFormat;
  encoding: TextEncoding;
}

export interface TrainingTask {
  type: 'train';
  jobId: string;
  /** In upload order; the worker runs parseSources over them before training. */
  files: TrainingFile[];
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
  /**
   * Buffers of models the manager dropped (Model.arrayBuffers), moved here: the decoder puts each
   * large array in the one that fits it best, and the others come back with the reply.
   */
  spare: ArrayBuffer[];
  /** false: the model will only generate and score, so it keeps no raw counts (decode's `counts`). */
  counts: boolean;
}

/**
 * Building the model image (src/lm/image/) of a model file that has none, or a damaged or old
 * one: a decode and an encode, which for a large model would hold the main thread ~1 s.
 */
export interface ImageTask {
  type: 'image';
  bytes: Uint8Array;
  /** The model file's checksum, written into the image (encodeImage's `source`). */
  source: string;
}

export type WorkerTask = TrainingTask | LoadTask | ImageTask;

export type TrainingFailureKind = 'empty' | 'bad-params' | 'base-format' | 'internal';

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; phase: TrainPhase; fraction: number }
  /** `image`: the model image of `bytes` (its source the sha256 of `bytes`), written beside the draft. */
  | { type: 'done'; bytes: Uint8Array; image: Uint8Array; stats: ModelStats; sample: string; sources: SourceSummary[] }
  | { type: 'imaged'; image: Uint8Array }
  | { type: 'failed'; kind: TrainingFailureKind; message: string }
  /** A refusal of the input (EMPTY_FILE, MALFORMED_FILE …): rebuilt as the same UserError. */
  | { type: 'failed'; kind: 'user'; code: ErrorCode; params: ErrorParams }
  | { type: 'loaded'; model: TransferableModel; spare: ArrayBuffer[] }
  | { type: 'load-failed'; formatKind: ModelFormatErrorKind | null; message: string; spare: ArrayBuffer[] };

export interface TrainingResult {
  bytes: Uint8Array;
  /** The model image of `bytes` (see WorkerMessage 'done'). */
  image: Uint8Array;
  stats: ModelStats;
  sample: string;
  sources: SourceSummary[];
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
