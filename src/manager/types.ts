// The model manager's public surface. Commands (commands/*.ts) and adapters use only this;
// the manager never knows about Discord. Every method is keyed by guild id: there is no API
// that takes a path or another guild's model id. Failures are UserErrors (src/errors.ts).
import type { GenerateOptions, GenerateResult, ModelStats, TrainParams, TrainPhase } from '../lm/types.js';
import type { ComparedModel, CompareOptions, Comparison } from './compare.js';
import type { TrainingSource } from '../ingest/types.js';
import type { InterruptedNotice } from '../store/index.js';

export type { ComparedModel };
/** What a training reads (src/ingest/types.ts), re-exported for the manager's callers. */
export type { TrainingSource } from '../ingest/types.js';

export interface Actor {
  id: string;
  name: string;
}

export type TrainMode = 'new' | 'append';

export interface JobProgress {
  jobId: string;
  /** 'queued': waiting for a free training slot (global job limit). */
  phase: 'queued' | 'download' | 'ingest' | TrainPhase | 'save';
  /** 0–1 over the whole job. */
  fraction: number;
  /** Estimated milliseconds left, when known. */
  etaMs: number | null;
}

export interface TrainOutcome {
  jobId: string;
  stats: ModelStats;
  /** A short generated sample, for the reply. */
  sample: string;
  /** Per-file summary of what was ingested. */
  sources: { name: string; lines: number; bytes: number; format: string; encoding: string }[];
  mode: TrainMode;
}

export interface SavedModelInfo {
  name: string;
  version: number;
  filename: string;
  bytes: number;
  createdAt: number;
  createdBy: Actor;
  stats: ModelStats;
  /** False when the file is missing or failed its checksum at startup reconcile. */
  available: boolean;
  active: boolean;
  /** After a save or import: older versions of the name removed by MAX_VERSIONS_PER_MODEL. */
  prunedVersions?: number[];
}

/** A saved model's file, for /export. */
export interface ExportedModel {
  info: SavedModelInfo;
  /** `<name>_v<version>.ulm`. */
  filename: string;
  bytes: Uint8Array;
}

export interface ModelListing {
  name: string;
  /** Newest first. */
  versions: SavedModelInfo[];
}

export interface ModelChoice {
  name: string;
  version: number;
  createdAt: number;
  bytes: number;
}

export interface GuildStatus {
  guildId: string;
  /** The model generate() uses: a loaded saved model, or the unsaved result of /train. */
  active:
    | { kind: 'none' }
    | {
        kind: 'working';
        saved: false;
        stats: ModelStats;
        trainedAt: number;
        trainedBy: Actor;
        /** Bytes of its draft model file (issue 16: /status shows them beside the image's). */
        fileBytes: number;
      }
    | { kind: 'saved'; saved: true; model: SavedModelInfo };
  /** A training of this process or, read from its job row, of another process on the same data directory. */
  job: { jobId: string; user: Actor; mode: TrainMode; progress: JobProgress; startedAt: number } | null;
  /** The guild's last training, when a stopped process (a crash, a kill) interrupted it. */
  interrupted?: { jobId: string; userName: string; startedAt: number; stoppedAt: number | null } | null;
  /** Set when the database file was removed or replaced under the process: writes are refused. */
  databaseLost?: 'missing' | 'replaced' | null;
  usage: { models: number; bytes: number };
  limits: GuildLimits;
}

export interface GuildLimits {
  maxModels: number;
  maxBytes: number;
  maxTrainingBytes: number;
  maxAttachmentBytes: number;
  maxFiles: number;
  /** Newest versions kept of each name; older ones are removed when a new one is saved (default 5). */
  maxVersionsPerModel?: number;
}

export interface ManagerConfig {
  dataDir: string;
  modelsDir: string;
  /** Worker threads for training (default 1). */
  workers: number;
  /** Concurrent training jobs across all guilds, and how many may wait beyond them. */
  maxConcurrentJobs: number;
  maxQueuedJobs: number;
  /** Memory budget of the loaded-model cache, bytes (default 256 MB). */
  cacheBytes: number;
  limits: GuildLimits;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** SQLite file; default `<dataDir>/ultraefficient.sqlite`. */
  databasePath?: string;
  /** Per downloaded attachment, until its last byte (default 30 s). */
  downloadTimeoutMs?: number;
  /**
   * Startup reconcile hashes every saved file (default true). false checks existence and size
   * only; checksums are still verified on every load.
   */
  verifyChecksumsAtStartup?: boolean;
  /**
   * With several shard processes sharing the database and models directory, each reconciles
   * only the guilds it serves (default: all).
   */
  ownsGuild?: (guildId: string) => boolean;
  /** Seed of training randomness (validation split, embeddings) and of the reply's sample. */
  trainingSeed?: number;
  /** Operator log (the bot's pino logger fits): the start-up reconcile, a lost database. */
  logger?: ManagerLogger;
}

/** The part of a pino Logger the manager writes to. */
export interface ManagerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface GenerateHooks {
  /** Called, and awaited, when generate() must first read, verify and decode the model file. */
  beforeLoad(): Promise<void>;
}

/** What startTraining answers at once: the refusal, or the admitted training's outcome. */
/** Where a training was started from (the channel is told if a stopped process interrupts it). */
export interface TrainingOrigin {
  channelId?: string | null;
}

export type TrainingStart = { admitted: false; refusal: unknown } | { admitted: true; outcome: Promise<TrainOutcome> };

export interface ModelManagerApi {
  /** startTraining, with a refusal as the promise's rejection. */
  train(
    guildId: string,
    user: Actor,
    sources: TrainingSource[],
    params: Partial<TrainParams>,
    mode: TrainMode,
    onProgress?: (progress: JobProgress) => void,
  ): Promise<TrainOutcome>;
  /** Admission is synchronous (see TrainingStart): a refusal is known before this returns. */
  startTraining(
    guildId: string,
    user: Actor,
    sources: TrainingSource[],
    params: Partial<TrainParams>,
    mode: TrainMode,
    onProgress?: (progress: JobProgress) => void,
    origin?: TrainingOrigin,
  ): TrainingStart;
  /** See ModelManager.claimInterruptedNotices. */
  claimInterruptedNotices(guildIds: readonly string[]): InterruptedNotice[];
  cancel(guildId: string): boolean;
  /** `expected`: the training whose draft must be saved (the Save button); see WORKING_MODEL_CHANGED. */
  save(guildId: string, user: Actor, name: string, expected?: { jobId: string }): Promise<SavedModelInfo>;
  load(guildId: string, name: string, version?: number): Promise<SavedModelInfo>;
  list(guildId: string): ModelListing[];
  /**
   * The saved versions `name` (and `version`, when given) designate, without changing anything:
   * what /delete confirms before deleting. MODEL_NOT_FOUND (with the closest names) or
   * MODEL_VERSION_NOT_FOUND by the same rules as /load and /delete.
   */
  findVersions(guildId: string, name: string, version?: number): { name: string; versions: SavedModelInfo[] };
  delete(guildId: string, name: string, version?: number): Promise<{ deleted: SavedModelInfo[]; wasActive: boolean }>;
  /**
   * Generates with the guild's working model. With `hooks`, the guild's state is read once for
   * both the readiness check and the generation (generationReadiness() then generate() reads it
   * twice): NO_MODEL_LOADED is thrown at once, and `beforeLoad` is awaited before a model that
   * is not in memory is read and decoded (the Discord command defers its reply there).
   */
  generate(guildId: string, options: GenerateOptions, hooks?: GenerateHooks): Promise<GenerateResult>;
  status(guildId: string): GuildStatus;
  /**
   * Whether generate() can answer at once: 'none' (no model: it would fail), 'in-memory', or
   * 'needs-load' (the model file is read, verified and decoded first). Synchronous, no I/O.
   */
  generationReadiness(guildId: string): 'none' | 'in-memory' | 'needs-load';
  /** Whether the working model's file is present and intact (reads and hashes it). */
  activeFileHealth(guildId: string): Promise<'none' | 'ok' | 'missing' | 'damaged'>;
  /**
   * Model files of the guild in its .orphans/ folder (found without a record at a start-up
   * reconcile), which `npm run recover` can register again. Optional for test doubles.
   */
  orphanedModelFiles?(guildId: string): Promise<number>;
  /** True when the guild holds a trained model that was never saved (replacing it loses work). */
  hasUnsavedWorkingModel(guildId: string): boolean;
  /** Autocomplete: the guild's saved models whose name contains `query`, ≤ 25, from SQLite only. */
  suggest(guildId: string, query: string): ModelChoice[];
  /** A saved model's file, verified against its checksum (newest version by default). */
  exportModel(guildId: string, name: string, version?: number): Promise<ExportedModel>;
  /**
   * Stores a model file (an export) as a new version of `name` (default: the name in the file's
   * name) after checking it completely; the working model is left as it is.
   */
  importModel(guildId: string, user: Actor, file: TrainingSource, name?: string): Promise<SavedModelInfo>;
  /**
   * Two saved models side by side: statistics, a generation each with the same prompt and seed,
   * and their scores on `file` (checked as /train checks uploads). Nothing becomes active and
   * nothing is evicted from the cache.
   */
  compare(
    guildId: string,
    first: { name: string; version?: number },
    second: { name: string; version?: number },
    options: CompareOptions,
    file?: TrainingSource,
  ): Promise<Comparison>;
  close(): Promise<void>;
}
