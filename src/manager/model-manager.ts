// The per-guild model manager: the engine behind every slash command. It owns guild state,
// training jobs, per-guild ordering, quotas and the model cache; it knows nothing of Discord.
//
// Ordering. Every operation that reads or replaces a guild's files (save, load, delete,
// generate, the end of a training) runs inside that guild's exclusive section, one after the
// other; different guilds never wait for each other. Training itself runs outside the section
// (it takes seconds to minutes) and enters it only to commit its result.
//
// Crash safety. Files are written before the rows that name them, rows are deleted before their
// files, and a finishing training records its result file in its job row before writing it. So
// after a crash at any point a row never names a missing file, and reconcile (run by open())
// only removes temp files, moves unreferenced files to .orphans/, and completes or closes jobs.
import { randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { UserError, isUserError, type ErrorParams } from '../errors.js';
import { checkSources, parseSources, readSourceBytes, readSources, type IngestLimits } from '../ingest/index.js';
import { decode, ModelFormatError, resolveParams, type Model } from '../lm/index.js';
import type { GenerateOptions, GenerateResult, ModelStats, TrainParams, TrainPhase } from '../lm/types.js';
import {
  Catalog,
  Coordination,
  DatabaseFile,
  completePendingRestore,
  PresenceRow,
  ModelFiles,
  draftFilename,
  editDistance,
  modelNameKey,
  openDatabase,
  parseModelName,
  reconcile,
  savedModelFilename,
  sha256,
  retryBusy,
  validateGuildId,
  type DraftRef,
  type InterruptedNotice,
  type ModelName,
  type ModelRow,
  type ReconcileReport,
  type SqliteDatabase,
} from '../store/index.js';
import { JobSlots, type JobTicket } from './job-slots.js';
import { GuildStateCache } from './guild-state-cache.js';
import { ModelCache } from './model-cache.js';
import { ModelImages } from './model-images.js';
import { ModelImageFiles } from '../store/images.js';
import { SpareBuffers } from './spare-buffers.js';
import { TrainingPool } from './training-pool.js';
import { TrainingWorkerError, type TrainingResult } from './training-protocol.js';
import type {
  Actor,
  ExportedModel,
  GenerateHooks,
  GuildLimits,
  GuildStatus,
  JobProgress,
  ManagerConfig,
  ModelChoice,
  ModelListing,
  ModelManagerApi,
  SavedModelInfo,
  TrainingSource,
  TrainMode,
  TrainOutcome,
  TrainingStart,
  TrainingOrigin,
} from './types.js';
import { versionsPerModel } from './quota-detail.js';
import { GuildLeases, busyAsUserError, busyRejection, type TrainingClaim } from './guild-leases.js';
import { compareModels, type CompareOptions, type Comparison } from './compare.js';
import {
  checkImportedModel,
  DEFAULT_MAX_VERSIONS_PER_MODEL,
  exportFilename,
  importName,
  versionsToPrune,
} from './model-transfer.js';
import { DatabaseGuard, logReconcile } from './database-guard.js';
import { isRecoverableFile } from './recover.js';

export const DEFAULT_GUILD_LIMITS: GuildLimits = {
  maxModels: 25,
  maxBytes: 100 * 1024 * 1024,
  maxTrainingBytes: 20 * 1024 * 1024,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxFiles: 10,
};

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
export const DATABASE_FILENAME = 'ultraefficient.sqlite';

/** A complete configuration from a data directory, for the bot, the console and tests. */
export function defaultManagerConfig(dataDir: string, overrides: Partial<ManagerConfig> = {}): ManagerConfig {
  return {
    dataDir,
    modelsDir: join(dataDir, 'models'),
    workers: 1,
    maxConcurrentJobs: 1,
    maxQueuedJobs: 4,
    cacheBytes: DEFAULT_CACHE_BYTES,
    limits: { ...DEFAULT_GUILD_LIMITS },
    ...overrides,
  };
}

/** Share of a job's progress bar given to reading the uploads, and to committing the result. */
const INGEST_SHARE = 0.1;
const SAVE_SHARE = 0.05;
/**
 * Job rows get a progress update when the job leaves the queue and then at most this often:
 * each is a committed (fsynced) transaction. This process's status() answers from memory;
 * another process on the same data directory shows the training from the row (guild-leases.ts).
 */
const JOB_ROW_INTERVAL_MS = 1_000;
const SUGGESTIONS = 3;
/**
 * Model files at least this large are decoded by the loader worker. A 58 KB file (a model of
 * 1,000 Brown lines) still takes ~20 ms to rebuild, and fifty servers loading at once chained
 * those on the main thread past Discord's 3-second deadline in `npm run bench:bot`; below this
 * size a decode costs about what the transfer does.
 */
const OFF_THREAD_DECODE_BYTES = 16 * 1024;
const AUTOCOMPLETE_CHOICES = 25;
const SPARE_CHECK_MS = 60_000;
const FILENAME_ATTEMPTS = 100;
const FILENAME_SEQUENTIAL = 20;
const DEFAULT_RETRY_AFTER_SECONDS = 60;

type WorkingModel = { kind: 'none' } | { kind: 'draft'; draft: DraftRef } | { kind: 'saved'; row: ModelRow };

interface RunningJob {
  id: string;
  guildId: string;
  user: Actor;
  mode: TrainMode;
  startedAt: number;
  /** Where /train was run: told there if a stopped process interrupts the training. */
  channelId: string | null;
  /** performance-clock time the job left the queue; ETA is measured from here. */
  runningSince: number | null;
  progress: JobProgress;
  abort: AbortController;
  /** Once the result is being written the job can no longer be cancelled. */
  committing: boolean;
  lastRowUpdate: number;
  listener: ((progress: JobProgress) => void) | undefined;
}

/** What a model file is called in errors: a saved name and version, or the unsaved draft (null). */
interface FileLabel extends ErrorParams {
  name: string | null;
  version: number | null;
}

export class ModelManager implements ModelManagerApi {
  readonly reconcileReport: ReconcileReport;
  readonly databasePath: string;
  private readonly catalog: Catalog;
  private readonly cache: ModelCache<Model>;
  private readonly slots: JobSlots;
  private readonly pool: TrainingPool;
  /** Decodes large model files off the main thread; its own worker, so loads never queue behind training. */
  private readonly loader = new TrainingPool(1);
  private readonly loading = new Map<string, Promise<Model>>();
  /** Saved models load from their images (model-images.ts). */
  private readonly images: ModelImages;
  /** Array buffers of evicted models, for the next loads (spare-buffers.ts). */
  private readonly spares = new SpareBuffers();
  private spareReuses = 0;
  private readonly jobs = new Map<string, RunningJob>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly guildSections = new Map<string, Promise<void>>();
  private readonly workingModels: GuildStateCache<WorkingModel>;
  /** Cross-process claims on a guild (guild-leases.ts). */
  private readonly leases: GuildLeases;
  /** Per guild, the job whose draft this process's last training made (what /save must save). */
  private readonly trainedHere = new Map<string, string>();
  private readonly now: () => number;
  private closing: Promise<void> | null = null;
  private readonly spareTimer: ReturnType<typeof setInterval>;
  /** Refuses writes once the database file is gone or replaced (database-guard.ts). */
  private readonly databaseGuard: DatabaseGuard;
  /** This process's row in the database while it is open (a restore refuses meanwhile). */
  private readonly presence: PresenceRow;

  private constructor(
    private readonly config: ManagerConfig,
    private readonly db: SqliteDatabase,
    private readonly files: ModelFiles,
    report: ReconcileReport,
    databasePath: string,
    coordination: Coordination,
    databaseFile: DatabaseFile,
  ) {
    this.databaseGuard = new DatabaseGuard(databaseFile, config.logger);
    this.presence = new PresenceRow(db, coordination.owner);
    this.catalog = new Catalog(db);
    this.images = new ModelImages(new ModelImageFiles(files), this.loader, OFF_THREAD_DECODE_BYTES);
    this.leases = new GuildLeases(coordination);
    this.workingModels = new GuildStateCache<WorkingModel>(this.catalog);
    this.reconcileReport = report;
    this.databasePath = databasePath;
    this.now = config.now ?? Date.now;
    this.cache = new ModelCache<Model>(config.cacheBytes, (key, model) => this.retire(key, model));
    this.slots = new JobSlots(Math.max(1, config.maxConcurrentJobs), Math.max(0, config.maxQueuedJobs));
    this.pool = new TrainingPool(Math.max(1, config.workers));
    // Checks once a minute whether the spares have sat unused long enough to give back; the timer
    // never keeps the process alive.
    this.spareTimer = setInterval(() => this.spares.expire(), SPARE_CHECK_MS);
    this.spareTimer.unref();
  }

  /** Opens (and migrates) the database and reconciles it with the models directory. */
  static async open(config: ManagerConfig): Promise<ModelManager> {
    const databasePath = config.databasePath ?? join(config.dataDir, DATABASE_FILENAME);
    // A restore a crash interrupted is finished before anything reads the folders (restore.ts).
    if (config.databasePath === undefined) await completePendingRestore(config.dataDir, config.modelsDir);
    const db = openDatabase(databasePath);
    let databaseFile: DatabaseFile | null = null;
    try {
      databaseFile = new DatabaseFile(databasePath);
      const files = new ModelFiles(config.modelsDir);
      const coordination = new Coordination(db);
      // Another process working on a guild (a lease it holds) keeps that guild out of this
      // start's reconcile: its temp files, drafts and open job rows are live, not leftovers.
      const ownsGuild = config.ownsGuild ?? (() => true);
      const report = await reconcile(new Catalog(db), files, {
        verifyChecksums: config.verifyChecksumsAtStartup ?? true,
        ownsGuild: (guildId) => ownsGuild(guildId) && coordination.heldElsewhere(guildId) === null,
        now: config.now ?? Date.now,
        coordination,
      });
      logReconcile(config.logger, report);
      return new ModelManager(config, db, files, report, databasePath, coordination, databaseFile);
    } catch (error) {
      databaseFile?.close();
      db.close();
      throw error;
    }
  }

  // ---- training ----------------------------------------------------------------------------

  train(
    guildId: string,
    user: Actor,
    sources: TrainingSource[],
    params: Partial<TrainParams>,
    mode: TrainMode,
    onProgress?: (progress: JobProgress) => void,
  ): Promise<TrainOutcome> {
    const start = this.startTraining(guildId, user, sources, params, mode, onProgress);
    return start.admitted ? start.outcome : Promise.reject(start.refusal);
  }

  /**
   * Admits a training or refuses it, synchronously (the return type is the contract): two
   * /train commands arriving together cannot both pass the one-job-per-guild check, and /train
   * answers a refusal as an error instead of as a progress message followed by a failure.
   */
  startTraining(
    guildId: string,
    user: Actor,
    sources: TrainingSource[],
    params: Partial<TrainParams>,
    mode: TrainMode,
    onProgress?: (progress: JobProgress) => void,
    origin: TrainingOrigin = {},
  ): TrainingStart {
    try {
      this.assertOpen();
      validateGuildId(guildId);
      this.databaseGuard.assertWritable();
      checkSources(sources, this.ingestLimits());
      if (mode !== 'new' && mode !== 'append') {
        throw new UserError('INVALID_PARAMETER', { name: 'mode', value: String(mode), reason: 'unknown' });
      }
      const trainParams = mode === 'new' ? checkTrainParams(params) : {};
      const running = this.jobs.get(guildId);
      if (running) {
        throw new UserError('ALREADY_TRAINING', {
          percent: Math.floor(running.progress.fraction * 100),
          phase: running.progress.phase,
        });
      }
      if (mode === 'append' && this.workingModel(guildId).kind === 'none') throw new UserError('NO_MODEL_LOADED', {});
      const jobId = randomUUID();
      // Another process training on this guild refuses here, as a job of this process does above.
      const claim: TrainingClaim = this.leases.claimTraining(guildId, jobId, (id) => this.catalog.job(id));
      const ticket = this.slots.admit();
      if (!ticket) {
        claim.release();
        throw new UserError('JOBS_BUSY', { retryAfterSeconds: this.retryAfterSeconds() });
      }

      const fromUrl = sources.some((source) => source.url !== undefined || source.produce !== undefined);
      const job: RunningJob = {
        id: jobId,
        guildId,
        user: { id: String(user.id), name: String(user.name) },
        mode,
        startedAt: this.now(),
        runningSince: null,
        progress: {
          jobId: '',
          phase: ticket.queued ? 'queued' : fromUrl ? 'download' : 'ingest',
          fraction: 0,
          etaMs: null,
        },
        abort: new AbortController(),
        committing: false,
        lastRowUpdate: performance.now(),
        listener: onProgress,
        channelId: origin.channelId ?? null,
      };
      job.progress.jobId = job.id;
      this.jobs.set(guildId, job);
      const outcome = this.runJob(job, ticket, sources, trainParams).finally(() => {
        ticket.release();
        claim.release();
        if (this.jobs.get(guildId) === job) this.jobs.delete(guildId);
      });
      this.track(outcome);
      return { admitted: true, outcome };
    } catch (error) {
      return { admitted: false, refusal: error };
    }
  }

  /**
   * Trainings of these guilds that a stopped process interrupted and that were not yet reported
   * in their channel, claimed: the caller tells each channel once (a restarted bot does).
   */
  claimInterruptedNotices(guildIds: readonly string[]): InterruptedNotice[] {
    this.assertOpen();
    for (const guildId of guildIds) validateGuildId(guildId);
    return retryBusy(() => this.catalog.claimInterruptedNotices(guildIds, this.now()));
  }

  cancel(guildId: string): boolean {
    validateGuildId(guildId);
    const job = this.jobs.get(guildId);
    if (!job || job.committing || job.abort.signal.aborted) return false;
    job.abort.abort(new UserError('TRAINING_CANCELLED', {}));
    return true;
  }

  private async runJob(
    job: RunningJob,
    ticket: JobTicket,
    sources: TrainingSource[],
    params: Partial<TrainParams>,
  ): Promise<TrainOutcome> {
    const { signal } = job.abort;
    const guildId = job.guildId;
    let base: WorkingModel | null = null;
    try {
      busyAsUserError(() =>
        retryBusy(() =>
          this.catalog.insertJob({
            id: job.id,
            guildId,
            user: job.user,
            kind: job.mode === 'new' ? 'train-new' : 'train-append',
            state: ticket.queued ? 'queued' : 'running',
            startedAt: job.startedAt,
            channelId: job.channelId,
          }),
        ),
      );
      const fromUrl = sources.some((source) => source.url !== undefined || source.produce !== undefined);
      if (ticket.queued) {
        this.report(job, 'queued', 0);
        await ticket.started(signal);
      }
      job.runningSince = performance.now();
      this.report(job, fromUrl ? 'download' : 'ingest', 0);
      // Only the I/O here: the raw bytes go to the worker (transferred), which decodes and
      // parses them. Decoding, extracting and joining a large upload on this thread blocked the
      // event loop ~100 ms for a 5.5 MB file, a latency tail for every other guild.
      const read = await readSources(sources, this.ingestLimits(), {
        signal,
        onProgress: (fraction) =>
          this.report(job, fromUrl && fraction < 1 ? 'download' : 'ingest', INGEST_SHARE * fraction),
      });
      signal.throwIfAborted();
      // Appending reads the working model as it is when the job starts, not when it was queued:
      // a save or load in between may have replaced (and removed) the file seen at admission.
      const baseBytes =
        job.mode === 'append'
          ? await this.claimed(guildId, async () => {
              const working = this.workingModel(guildId);
              if (working.kind === 'none') throw new UserError('NO_MODEL_LOADED', {});
              base = working;
              return this.readVerified(guildId, fileOf(working), labelOf(working));
            })
          : null;
      signal.throwIfAborted();
      const trainShare = 1 - INGEST_SHARE - SAVE_SHARE;
      const result = await this.pool.run(
        {
          type: 'train',
          jobId: job.id,
          files: read.files,
          params,
          base: baseBytes,
          createdAt: this.now(),
          seed: this.config.trainingSeed ?? 1,
        },
        (phase, fraction) => this.report(job, phase, INGEST_SHARE + trainShare * fraction),
        signal,
      );
      signal.throwIfAborted();
      job.committing = true;
      this.report(job, 'save', 1 - SAVE_SHARE);
      await this.claimed(guildId, () => this.commitTraining(job, result));
      this.report(job, 'save', 1);
      return {
        jobId: job.id,
        stats: result.stats,
        sample: result.sample,
        sources: result.sources,
        mode: job.mode,
      };
    } catch (error) {
      const failure = trainingFailure(error, base);
      const cancelled =
        isUserError(failure) && (failure.code === 'TRAINING_CANCELLED' || failure.code === 'SHUTTING_DOWN');
      try {
        this.catalog.finishJob(job.id, cancelled ? 'cancelled' : 'failed', this.now(), describe(failure));
      } catch {
        // The job row is bookkeeping; the caller's error matters more. Reconcile closes it.
      }
      throw failure;
    }
  }

  /**
   * The training result becomes the guild's working model. The job row names the draft file
   * before the file exists, so a crash between writing it and committing is recovered by
   * reconcile rather than losing the training.
   */
  private async commitTraining(job: RunningJob, result: TrainingResult): Promise<void> {
    const at = this.now();
    const draft: DraftRef = {
      filename: draftFilename(job.id),
      bytes: result.bytes.byteLength,
      checksum: sha256(result.bytes),
      createdAt: at,
      createdBy: job.user,
      statsJson: JSON.stringify(result.stats),
    };
    this.catalog.markJobWriting(job.id, draft);
    await this.files.writeAtomic(job.guildId, draft.filename, result.bytes, true);
    const previous = this.catalog.guildState(job.guildId)?.draft ?? null;
    retryBusy(() => this.catalog.commitTrainingResult(job.guildId, job.id, draft, at, null));
    this.trainedHere.set(job.guildId, job.id);
    await this.images.keep(job.guildId, draft.checksum, result.image);
    if (previous && previous.filename !== draft.filename) await this.discardDraftFile(job.guildId, previous.filename);
  }

  private report(job: RunningJob, phase: JobProgress['phase'], fraction: number): void {
    const previousPhase = job.progress.phase;
    const clamped = Math.min(1, Math.max(job.progress.fraction, fraction));
    let etaMs: number | null = null;
    if (job.runningSince !== null && clamped >= 0.05 && clamped < 1) {
      const elapsed = performance.now() - job.runningSince;
      etaMs = Math.round((elapsed / clamped) * (1 - clamped));
    } else if (clamped >= 1) {
      etaMs = 0;
    }
    job.progress = { jobId: job.id, phase, fraction: clamped, etaMs };
    const wallNow = performance.now();
    const leftQueue = previousPhase === 'queued' && phase !== 'queued';
    if (!job.committing && (leftQueue || wallNow - job.lastRowUpdate >= JOB_ROW_INTERVAL_MS)) {
      job.lastRowUpdate = wallNow;
      try {
        this.catalog.updateJobProgress(job.id, phase === 'queued' ? 'queued' : 'running', phase, clamped);
      } catch {
        // A busy database must not fail a training over a progress figure.
      }
    }
    try {
      job.listener?.({ ...job.progress });
    } catch {
      // A failing progress listener (an expired Discord interaction) must not fail the job.
    }
  }

  private retryAfterSeconds(): number {
    const etas = [...this.jobs.values()]
      .map((job) => job.progress.etaMs)
      .filter((eta): eta is number => eta !== null && eta > 0);
    if (etas.length === 0) return DEFAULT_RETRY_AFTER_SECONDS;
    return Math.min(600, Math.max(10, Math.ceil(Math.min(...etas) / 1000)));
  }

  private ingestLimits(): IngestLimits {
    const limits = this.config.limits;
    return {
      maxFiles: limits.maxFiles,
      maxFileBytes: Math.min(limits.maxAttachmentBytes, limits.maxTrainingBytes),
      maxTotalBytes: limits.maxTrainingBytes,
      downloadTimeoutMs: this.config.downloadTimeoutMs ?? 30_000,
    };
  }

  // ---- saved models ------------------------------------------------------------------------

  async save(guildId: string, user: Actor, name: string, expected?: { jobId: string }): Promise<SavedModelInfo> {
    this.assertOpen();
    validateGuildId(guildId);
    const modelName = parseModelName(name);
    return this.claimed(guildId, async () => {
      const working = this.workingModel(guildId);
      this.checkExpectedDraft(guildId, working, expected);
      if (working.kind === 'none') throw new UserError('NO_TRAINED_MODEL', {});
      const source = fileOf(working);
      const bytes = await this.readVerified(guildId, source, labelOf(working));
      const statsJson = working.kind === 'draft' ? working.draft.statsJson : working.row.statsJson;
      const saved = await this.storeVersion(guildId, user, modelName, bytes, source.checksum, statsJson, true);
      if (working.kind === 'draft') {
        this.cache.rename(ModelCache.key(guildId, working.draft.filename), ModelCache.key(guildId, saved.filename));
        await this.discardDraftFile(guildId, working.draft.filename);
      }
      this.trainedHere.delete(guildId);
      return saved;
    });
  }

  /**
   * Inside the guild's section: checks quotas, writes the file, records the row (active, or not
   * for an import), then removes the versions beyond MAX_VERSIONS_PER_MODEL (rows, then files).
   */
  private async storeVersion(
    guildId: string,
    user: Actor,
    modelName: ModelName,
    bytes: Uint8Array,
    checksum: string,
    statsJson: string,
    activate: boolean,
  ): Promise<SavedModelInfo> {
    const limits = this.config.limits;
    const usage = this.catalog.usage(guildId);
    const activeId = this.catalog.guildState(guildId)?.activeModelId ?? null;
    const pruned = versionsToPrune(
      this.catalog.versionsOf(guildId, modelName.key),
      limits.maxVersionsPerModel ?? DEFAULT_MAX_VERSIONS_PER_MODEL,
      activate ? null : activeId,
    );
    const prunedBytes = pruned.reduce((sum, row) => sum + row.bytes, 0);
    if (usage.models + 1 - pruned.length > limits.maxModels) {
      throw new UserError('QUOTA_MODELS', {
        limit: limits.maxModels,
        ...versionsPerModel(this.catalog.listModels(guildId)),
      });
    }
    if (usage.bytes - prunedBytes + bytes.byteLength > limits.maxBytes) {
      throw new UserError('QUOTA_BYTES', { usedBytes: usage.bytes, limit: limits.maxBytes });
    }
    const at = this.now();
    const filename = await this.writeSavedFile(guildId, modelName, at, bytes);
    const stats = JSON.parse(statsJson) as ModelStats;
    const row: Omit<ModelRow, 'id'> = {
      guildId,
      name: modelName.display,
      nameKey: modelName.key,
      version: this.catalog.nextVersion(guildId, modelName.key),
      filename,
      bytes: bytes.byteLength,
      checksum,
      createdAt: at,
      createdBy: { id: String(user.id), name: String(user.name) },
      paramsJson: JSON.stringify(stats.params ?? null),
      statsJson,
      corpusJson: JSON.stringify(stats.corpus ?? null),
      available: true,
      unavailableReason: null,
    };
    let id: number;
    try {
      id = retryBusy(() => (activate ? this.catalog.commitSave(row, at) : this.catalog.insertModel(row)));
    } catch (error) {
      await this.files.remove(guildId, filename).catch(() => undefined);
      throw error;
    }
    if (pruned.length > 0) {
      // Rows first, files after, as /delete does: a crash in between leaves orphans, never a row without its file.
      retryBusy(() =>
        this.catalog.deleteModels(
          guildId,
          pruned.map((old) => old.id),
          at,
        ),
      );
      for (const old of pruned) {
        this.cache.delete(ModelCache.key(guildId, old.filename));
        await this.files.remove(guildId, old.filename);
      }
      await this.sweepImages(guildId);
    }
    return { ...this.info({ ...row, id }, activate ? id : activeId), prunedVersions: pruned.map((old) => old.version) };
  }

  async exportModel(guildId: string, name: string, version?: number): Promise<ExportedModel> {
    this.assertOpen();
    validateGuildId(guildId);
    const modelName = parseModelName(name);
    checkVersion(version);
    return this.exclusive(guildId, async () => {
      const row = this.findSaved(guildId, modelName, version);
      const bytes = await this.readVerified(guildId, row, { name: row.name, version: row.version });
      const activeId = this.catalog.guildState(guildId)?.activeModelId ?? null;
      return { info: this.info(row, activeId), filename: exportFilename(row.name, row.version), bytes };
    });
  }

  async importModel(guildId: string, user: Actor, file: TrainingSource, name?: string): Promise<SavedModelInfo> {
    this.assertOpen();
    validateGuildId(guildId);
    // A name given is checked before the download; one taken from the file's name after the file
    // (a file that is no model gets the damaged-file message, whatever it is called).
    const givenName = name === undefined ? null : parseModelName(name);
    const limit = this.config.limits.maxAttachmentBytes;
    const fileName = String(file?.name ?? '');
    const bytes = await readSourceBytes(file, {
      cap: { limit, refuse: (seen) => new UserError('ATTACHMENT_TOO_LARGE', { name: fileName, bytes: seen, limit }) },
      timeoutMs: this.config.downloadTimeoutMs ?? 30_000,
      fetchImpl: fetch,
      onBytes: () => undefined,
    });
    const stats = checkImportedModel(fileName, bytes);
    const modelName = givenName ?? importName(fileName);
    this.assertOpen();
    return this.claimed(guildId, () =>
      this.storeVersion(guildId, user, modelName, bytes, sha256(bytes), JSON.stringify(stats), false),
    );
  }

  /** Writes a new saved file under a name no other file has (a same-second save gets `_2`). */
  private async writeSavedFile(guildId: string, name: ModelName, at: number, bytes: Uint8Array): Promise<string> {
    for (let attempt = 1; attempt <= FILENAME_ATTEMPTS; attempt++) {
      // Past the first few same-millisecond saves, a random suffix: a burst of saves of one name
      // (more than a hundred in a second) once ran out of sequential suffixes.
      const suffix = attempt <= FILENAME_SEQUENTIAL ? attempt : FILENAME_SEQUENTIAL + 1 + randomInt(1_000_000_000);
      const filename = savedModelFilename(name, at, suffix);
      if (this.catalog.filenameTaken(guildId, filename)) continue;
      if (await this.files.writeAtomic(guildId, filename, bytes, false)) return filename;
    }
    throw new Error(`no free file name for ${name.display} after ${FILENAME_ATTEMPTS} attempts`);
  }

  async load(guildId: string, name: string, version?: number): Promise<SavedModelInfo> {
    this.assertOpen();
    validateGuildId(guildId);
    const modelName = parseModelName(name);
    checkVersion(version);
    return this.claimed(guildId, async () => {
      const row = this.findSaved(guildId, modelName, version);
      const label = { name: row.name, version: row.version };
      try {
        await this.modelFor(guildId, row, label);
      } catch (error) {
        if (isUserError(error) && (error.code === 'MODEL_FILE_MISSING' || error.code === 'MODEL_CORRUPT')) {
          this.catalog.setAvailability(
            guildId,
            row.id,
            false,
            error.code === 'MODEL_FILE_MISSING' ? 'missing' : String(error.params.detail),
          );
        }
        throw error;
      }
      if (!row.available) this.catalog.setAvailability(guildId, row.id, true, null);
      const previousDraft = this.catalog.guildState(guildId)?.draft ?? null;
      retryBusy(() => this.catalog.setActive(guildId, row.id, this.now()));
      this.trainedHere.delete(guildId);
      if (previousDraft) await this.discardDraftFile(guildId, previousDraft.filename);
      return this.info({ ...row, available: true, unavailableReason: null }, row.id);
    });
  }

  list(guildId: string): ModelListing[] {
    this.assertOpen();
    validateGuildId(guildId);
    const activeId = this.catalog.guildState(guildId)?.activeModelId ?? null;
    const listings: ModelListing[] = [];
    let current: ModelListing | null = null;
    let currentKey = '';
    for (const row of this.catalog.listModels(guildId)) {
      if (current === null || row.nameKey !== currentKey) {
        current = { name: row.name, versions: [] };
        currentKey = row.nameKey;
        listings.push(current);
      }
      current.versions.push(this.info(row, activeId));
    }
    return listings;
  }

  findVersions(guildId: string, name: string, version?: number): { name: string; versions: SavedModelInfo[] } {
    this.assertOpen();
    validateGuildId(guildId);
    const modelName = parseModelName(name);
    checkVersion(version);
    const rows =
      version === undefined ? this.versionsOf(guildId, modelName) : [this.findSaved(guildId, modelName, version)];
    const activeId = this.catalog.guildState(guildId)?.activeModelId ?? null;
    return { name: rows[0].name, versions: rows.map((row) => this.info(row, activeId)) };
  }

  async delete(
    guildId: string,
    name: string,
    version?: number,
  ): Promise<{ deleted: SavedModelInfo[]; wasActive: boolean }> {
    this.assertOpen();
    validateGuildId(guildId);
    const modelName = parseModelName(name);
    checkVersion(version);
    return this.claimed(guildId, async () => {
      const targets =
        version === undefined ? this.versionsOf(guildId, modelName) : [this.findSaved(guildId, modelName, version)];
      const activeId = this.catalog.guildState(guildId)?.activeModelId ?? null;
      const deleted = targets.map((row) => this.info(row, activeId));
      // Rows first, in one transaction; files after. A crash in between leaves orphan files
      // (moved aside by reconcile), never a row without its file.
      // The files are recorded as pending with the rows' removal: a crash before they are gone
      // is finished by the next start's reconcile.
      const coordination = this.leases.coordination;
      const { wasActive } = retryBusy(() =>
        coordination.recordDelete(
          guildId,
          targets.map((row) => row.filename),
          () =>
            this.catalog.deleteModels(
              guildId,
              targets.map((row) => row.id),
              this.now(),
            ),
        ),
      );
      for (const row of targets) {
        this.cache.delete(ModelCache.key(guildId, row.filename));
        await this.files.remove(guildId, row.filename);
        try {
          retryBusy(() => coordination.deleteDone(guildId, row.filename));
        } catch {
          // The next start removes the record (the file is already gone).
        }
      }
      await this.sweepImages(guildId);
      return { deleted, wasActive };
    });
  }

  suggest(guildId: string, query: string): ModelChoice[] {
    this.assertOpen();
    validateGuildId(guildId);
    const key = modelNameKey(
      String(query ?? '')
        .trim()
        .slice(0, 100),
    );
    return this.catalog.suggest(guildId, key, AUTOCOMPLETE_CHOICES).map((row) => ({
      name: row.name,
      version: row.version,
      createdAt: row.createdAt,
      bytes: row.bytes,
    }));
  }

  /**
   * Two saved models side by side (compare.ts). Neither becomes active; a model already cached is
   * used from the cache, any other is decoded for this call only and never enters the cache, so
   * comparing evicts nothing (the active model stays in memory).
   */
  async compare(
    guildId: string,
    first: { name: string; version?: number },
    second: { name: string; version?: number },
    options: CompareOptions,
    file?: TrainingSource,
  ): Promise<Comparison> {
    this.assertOpen();
    validateGuildId(guildId);
    const names = [parseModelName(first.name), parseModelName(second.name)];
    checkVersion(first.version);
    checkVersion(second.version);
    let evaluation: { fileName: string; lines: string[] } | null = null;
    if (file) {
      checkSources([file], this.ingestLimits());
      const read = await readSources([file], this.ingestLimits());
      const parsed = parseSources(read.files);
      if (parsed.lines.length === 0) throw new UserError('EMPTY_INPUT', {});
      evaluation = { fileName: String(file.name), lines: parsed.lines };
    }
    this.assertOpen();
    return this.exclusive(guildId, async () => {
      const rows = [
        this.findSaved(guildId, names[0], first.version),
        this.findSaved(guildId, names[1], second.version),
      ];
      const activeId = this.catalog.guildState(guildId)?.activeModelId ?? null;
      const models = [await this.peekModel(guildId, rows[0]), await this.peekModel(guildId, rows[1])] as [Model, Model];
      return compareModels([this.info(rows[0], activeId), this.info(rows[1], activeId)], models, options, evaluation);
    });
  }

  /** A saved model for one use: from the cache when there, else decoded without caching it. */
  private async peekModel(guildId: string, row: ModelRow): Promise<Model> {
    const cached = this.cache.get(ModelCache.key(guildId, row.filename));
    if (cached) return cached;
    const label = { name: row.name, version: row.version };
    const bytes = await this.readVerified(guildId, row, label);
    try {
      return bytes.length >= OFF_THREAD_DECODE_BYTES
        ? await this.loader.load(new Uint8Array(bytes), { counts: false })
        : decode(bytes, { counts: false });
    } catch (error) {
      if (error instanceof ModelFormatError) {
        throw new UserError(error.kind === 'newer-version' ? 'MODEL_INCOMPATIBLE' : 'MODEL_CORRUPT', {
          ...label,
          detail: error.kind,
        });
      }
      if (error instanceof TrainingWorkerError) return decode(bytes, { counts: false });
      throw error;
    }
  }

  // ---- using the working model -------------------------------------------------------------

  async generate(guildId: string, options: GenerateOptions, hooks?: GenerateHooks): Promise<GenerateResult> {
    this.assertOpen();
    validateGuildId(guildId);
    if (hooks?.beforeLoad === undefined) return this.exclusive(guildId, () => this.generateNow(guildId, options, null));
    // What generationReadiness() answers, from the same read: no model fails at once, a model
    // that is not in memory lets the caller acknowledge first (a deferred Discord reply).
    const seen = this.workingModel(guildId);
    if (seen.kind === 'none') throw new UserError('NO_MODEL_LOADED', {});
    if (!this.cache.has(ModelCache.key(guildId, fileOf(seen).filename))) {
      await hooks.beforeLoad();
      this.assertOpen();
      return this.exclusive(guildId, () => this.generateNow(guildId, options, null));
    }
    // The common case: the model is in memory and nothing of this guild runs or waits. Every
    // change of a guild's working model in this process happens inside its exclusive section,
    // and this call enters the section now (synchronously, right after the look), so the state
    // just seen is the one the section would see again: one look per generation (a cache hit,
    // or one read). Otherwise (a save, load, delete or training commit of the guild runs or is
    // queued) the section looks again when its turn comes, as without hooks. Another process's
    // commit is not ordered with this one either way.
    const fresh = this.guildSections.has(guildId) ? null : seen;
    return this.exclusive(guildId, () => this.generateNow(guildId, options, fresh));
  }

  /** Inside the guild's section: the working model (`known`, or read now) generates. */
  private async generateNow(
    guildId: string,
    options: GenerateOptions,
    known: WorkingModel | null,
  ): Promise<GenerateResult> {
    const working = known ?? this.workingModel(guildId);
    if (working.kind === 'none') throw new UserError('NO_MODEL_LOADED', {});
    const file = fileOf(working);
    const model = await this.modelFor(guildId, file, labelOf(working));
    // src/lm's defaults are the product's: the same text as `ultra generate` and the sample
    // after /train for the same model, prompt and seed.
    const result = model.generate(options);
    // Ranking a large context keeps its ranked run, and a prompt builds word lookups: the cache
    // budget follows.
    this.cache.resize(ModelCache.key(guildId, file.filename), model.residentBytes());
    return result;
  }

  status(guildId: string): GuildStatus {
    this.assertOpen();
    validateGuildId(guildId);
    const working = this.workingModel(guildId);
    let active: GuildStatus['active'];
    if (working.kind === 'draft') {
      active = {
        kind: 'working',
        saved: false,
        stats: JSON.parse(working.draft.statsJson) as ModelStats,
        trainedAt: working.draft.createdAt,
        trainedBy: { ...working.draft.createdBy },
      };
    } else if (working.kind === 'saved') {
      active = { kind: 'saved', saved: true, model: this.info(working.row, working.row.id) };
    } else {
      active = { kind: 'none' };
    }
    const job = this.jobs.get(guildId);
    return {
      guildId,
      active,
      job: job
        ? {
            jobId: job.id,
            user: { ...job.user },
            mode: job.mode,
            progress: { ...job.progress },
            startedAt: job.startedAt,
          }
        : this.otherProcessJob(guildId),
      interrupted: job ? null : interruptedTraining(this.leases.coordination, guildId),
      databaseLost: this.databaseGuard.lostState(),
      usage: this.catalog.usage(guildId),
      limits: { ...this.config.limits },
    };
  }

  /**
   * Whether the working model's file is there and matches its checksum (issue 17: /status warns
   * instead of showing a lost model's statistics as if it were fine). 'none': no working model.
   */
  async activeFileHealth(guildId: string): Promise<'none' | 'ok' | 'missing' | 'damaged'> {
    this.assertOpen();
    validateGuildId(guildId);
    const working = this.workingModel(guildId);
    if (working.kind === 'none') return 'none';
    const file = fileOf(working);
    const check = await this.files.check(guildId, file.filename, file.checksum, true);
    return check.kind === 'ok' ? 'ok' : check.kind === 'missing' ? 'missing' : 'damaged';
  }

  async orphanedModelFiles(guildId: string): Promise<number> {
    this.assertOpen();
    validateGuildId(guildId);
    return (await this.files.orphanFiles(guildId)).filter(isRecoverableFile).length;
  }

  generationReadiness(guildId: string): 'none' | 'in-memory' | 'needs-load' {
    this.assertOpen();
    validateGuildId(guildId);
    const working = this.workingModel(guildId);
    if (working.kind === 'none') return 'none';
    return this.cache.has(ModelCache.key(guildId, fileOf(working).filename)) ? 'in-memory' : 'needs-load';
  }

  hasUnsavedWorkingModel(guildId: string): boolean {
    this.assertOpen();
    validateGuildId(guildId);
    return this.catalog.guildState(guildId)?.draft != null;
  }

  /**
   * Figures for benchmarks and health reports. `spareBytes`: array buffers of evicted models kept
   * for the next loads (spare-buffers.ts); `spareReuses`: loads that decoded into any of them.
   */
  cacheStats(): {
    models: number;
    bytes: number;
    budgetBytes: number;
    evictions: number;
    spareBytes: number;
    spareReuses: number;
  } {
    return {
      models: this.cache.size,
      bytes: this.cache.bytes,
      budgetBytes: this.cache.budgetBytes,
      evictions: this.cache.evictions,
      spareBytes: this.spares.bytes,
      spareReuses: this.spareReuses,
    };
  }

  /**
   * Stops accepting work, cancels queued and running trainings (a training that is already
   * writing its result finishes), waits for in-progress operations, then closes the database.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const job of this.jobs.values()) {
        if (!job.committing) job.abort.abort(new UserError('SHUTTING_DOWN', {}));
      }
      await Promise.allSettled([...this.inFlight]);
      await Promise.allSettled([...this.guildSections.values()]);
      await Promise.allSettled([...this.loading.values()]);
      clearInterval(this.spareTimer);
      this.spares.trim(0);
      await this.pool.close();
      await this.loader.close();
      this.presence.stop();
      this.db.close();
      this.databaseGuard.close();
    })();
    return this.closing;
  }

  // ---- internals ---------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closing) throw new UserError('SHUTTING_DOWN', {});
  }

  private track(promise: Promise<unknown>): void {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
  }

  /**
   * exclusive() and, inside it, the guild's section lease: no other process on the same data
   * directory runs a save, load, delete or training commit of the guild meanwhile. generate()
   * keeps the in-process section only (it replaces nothing). Contention becomes DATABASE_BUSY.
   */
  private claimed<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    // Every write command passes here: a database file removed or replaced under the process
    // refuses it before anything is written (issue 17).
    return this.exclusive(guildId, () => {
      this.databaseGuard.assertWritable();
      return this.leases.withSection(guildId, work);
    }).catch(busyRejection);
  }

  /**
   * /save saves the draft the invoker's training made: the job named by the Save button, or
   * the last training of this process on the guild. When another process (or, for the button,
   * anyone) has replaced the working model since, it refuses and says with what; a /save after
   * that refusal saves the model now working.
   */
  private checkExpectedDraft(guildId: string, working: WorkingModel, expected: { jobId: string } | undefined): void {
    const jobId = expected?.jobId ?? this.trainedHere.get(guildId);
    if (jobId === undefined) return;
    if (working.kind === 'draft' && working.draft.filename === draftFilename(jobId)) return;
    if (expected === undefined) this.trainedHere.delete(guildId);
    const updatedAt = this.catalog.guildState(guildId)?.updatedAt ?? this.now();
    throw new UserError('WORKING_MODEL_CHANGED', {
      kind: working.kind,
      user:
        working.kind === 'draft'
          ? working.draft.createdBy.name
          : working.kind === 'saved'
            ? working.row.createdBy.name
            : '',
      date:
        new Date(working.kind === 'draft' ? working.draft.createdAt : updatedAt)
          .toISOString()
          .slice(0, 16)
          .replace('T', ' ') + ' UTC',
      name: working.kind === 'saved' ? working.row.name : '',
      version: working.kind === 'saved' ? working.row.version : 0,
    });
  }

  /** A training another process runs on the guild, as its job row records it. */
  private otherProcessJob(guildId: string): GuildStatus['job'] {
    const holder = this.leases.otherTraining(guildId);
    const row = holder?.jobId ? this.catalog.job(holder.jobId) : undefined;
    if (!row || (row.state !== 'queued' && row.state !== 'running' && row.state !== 'writing')) return null;
    return {
      jobId: row.id,
      user: { ...row.user },
      mode: row.kind === 'train-append' ? 'append' : 'new',
      progress: {
        jobId: row.id,
        phase: (row.phase ?? (row.state === 'queued' ? 'queued' : 'ingest')) as JobProgress['phase'],
        fraction: row.progress,
        etaMs: null,
      },
      startedAt: row.startedAt,
    };
  }

  /** Runs `work` after every earlier exclusive operation of the same guild has finished. */
  private exclusive<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.guildSections.get(guildId) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.guildSections.set(guildId, tail);
    void tail.then(() => {
      if (this.guildSections.get(guildId) === tail) this.guildSections.delete(guildId);
    });
    return result;
  }

  /**
   * The model generate() uses. Cached per guild until the database may have changed (any write
   * of this process, any commit of another connection): see guild-state-cache.ts. Cached values
   * are frozen; callers copy what they hand out.
   */
  private workingModel(guildId: string): WorkingModel {
    const cached = this.workingModels.get(guildId);
    if (cached !== undefined) return cached;
    const working = readWorkingModel(this.catalog, guildId);
    this.workingModels.set(guildId, working);
    return working;
  }

  private versionsOf(guildId: string, name: ModelName): ModelRow[] {
    const versions = this.catalog.versionsOf(guildId, name.key);
    if (versions.length > 0) return versions;
    throw new UserError('MODEL_NOT_FOUND', { name: name.display, suggestions: this.closestNames(guildId, name.key) });
  }

  private findSaved(guildId: string, name: ModelName, version: number | undefined): ModelRow {
    const versions = this.versionsOf(guildId, name);
    if (version === undefined) return versions[0];
    const row = versions.find((candidate) => candidate.version === version);
    if (row) return row;
    throw new UserError('MODEL_VERSION_NOT_FOUND', {
      name: versions[0].name,
      version,
      versions: versions.map((candidate) => String(candidate.version)),
    });
  }

  /** Names within a small edit distance, or containing / contained in what was typed. */
  private closestNames(guildId: string, key: string): string[] {
    const names = new Map<string, string>();
    for (const row of this.catalog.listModels(guildId)) if (!names.has(row.nameKey)) names.set(row.nameKey, row.name);
    const limit = Math.max(2, Math.floor([...key].length / 3));
    return [...names]
      .map(([candidate, display]) => {
        const contains = candidate.includes(key) || key.includes(candidate);
        return { display, distance: contains ? 0.5 : editDistance(key, candidate) };
      })
      .filter((candidate) => candidate.distance <= limit)
      .sort((a, b) => a.distance - b.distance || (a.display < b.display ? -1 : 1))
      .slice(0, SUGGESTIONS)
      .map((candidate) => candidate.display);
  }

  /** Reads a model file and checks it against its recorded checksum. */
  private async readVerified(
    guildId: string,
    file: { filename: string; checksum: string },
    label: FileLabel,
  ): Promise<Uint8Array> {
    const bytes = await this.files.read(guildId, file.filename);
    if (bytes === null) throw new UserError('MODEL_FILE_MISSING', label);
    if (sha256(bytes) !== file.checksum) throw new UserError('MODEL_CORRUPT', { ...label, detail: 'checksum' });
    return bytes;
  }

  /** The cached model, or the file read, verified and decoded (then cached). */
  private async modelFor(guildId: string, file: ModelFileRef, label: FileLabel): Promise<Model> {
    const key = ModelCache.key(guildId, file.filename);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let loading = this.loading.get(key);
    if (loading === undefined) {
      loading = this.loadModel(guildId, file, label, key);
      this.loading.set(key, loading);
      void loading.then(
        () => this.loading.delete(key),
        () => this.loading.delete(key),
      );
    }
    return loading;
  }

  /**
   * Reads and verifies a model file, loads the model from its image (model-images.ts: rebuilt,
   * by the loader worker for a large file, when missing or unusable), then caches it.
   */
  private async loadModel(guildId: string, file: ModelFileRef, label: FileLabel, key: string): Promise<Model> {
    let model: Model;
    try {
      // Cached models only generate and score, from the model image: they keep no raw counts
      // (saving copies the file, appending decodes it anew in the training worker).
      model = await this.images.load(guildId, file.checksum, {
        read: () => this.readVerified(guildId, file, label),
        // The image goes into the memory of a model the cache evicts for it, when one fits.
        bufferFor: (size) => {
          this.cache.makeRoom(size);
          const spare = this.spares.take(size);
          if (spare !== null) this.spareReuses++;
          return spare;
        },
      });
    } catch (error) {
      if (error instanceof ModelFormatError) {
        // Only a newer format is "incompatible" (updating the bot fixes it); a file that is not a
        // model at all, though its checksum matches, is as unusable as a damaged one.
        throw new UserError(error.kind === 'newer-version' ? 'MODEL_INCOMPATIBLE' : 'MODEL_CORRUPT', {
          ...label,
          detail: error.kind,
        });
      }
      throw error;
    }
    this.cache.set(key, model, model.residentBytes());
    this.spares.trim(this.cache.budgetBytes - this.cache.bytes);
    return model;
  }

  /**
   * An evicted model's array buffers become spares, unless its guild has an operation running or
   * queued: every use of a model happens inside its guild's exclusive section, so a guild without
   * one holds no reference that could still read the arrays a later load will overwrite.
   */
  private retire(key: string, model: Model): void {
    const guildId = key.slice(0, key.indexOf('/'));
    if (this.guildSections.has(guildId)) return;
    this.spares.add(model.arrayBuffers(), this.cache.budgetBytes - this.cache.bytes);
  }

  private async discardDraftFile(guildId: string, filename: string): Promise<void> {
    this.cache.delete(ModelCache.key(guildId, filename));
    await this.files.remove(guildId, filename);
    await this.sweepImages(guildId);
  }

  /** The guild's model images, minus those of model files it no longer has (model-images.ts). */
  private async sweepImages(guildId: string): Promise<void> {
    const keep = new Set(this.catalog.listModels(guildId).map((row) => row.checksum));
    const draft = this.catalog.guildState(guildId)?.draft;
    if (draft) keep.add(draft.checksum);
    await this.images.sweep(guildId, keep);
  }

  private info(row: Omit<ModelRow, 'id'> & { id: number }, activeId: number | null): SavedModelInfo {
    return {
      name: row.name,
      version: row.version,
      filename: row.filename,
      bytes: row.bytes,
      createdAt: row.createdAt,
      createdBy: { ...row.createdBy },
      stats: JSON.parse(row.statsJson) as ModelStats,
      available: row.available,
      active: row.id === activeId,
    };
  }
}

/** The guild's last training, when a stopped process interrupted it (shown by /status until the next training). */
function interruptedTraining(coordination: Coordination, guildId: string): GuildStatus['interrupted'] {
  const last = coordination.lastJob(guildId);
  if (last?.state !== 'interrupted') return null;
  return { jobId: last.id, userName: last.userName, startedAt: last.startedAt, stoppedAt: last.finishedAt };
}

function readWorkingModel(catalog: Catalog, guildId: string): WorkingModel {
  const state = catalog.guildState(guildId);
  if (state?.draft) {
    Object.freeze(state.draft.createdBy);
    return Object.freeze({ kind: 'draft', draft: Object.freeze(state.draft) });
  }
  if (state?.activeModelId != null) {
    const row = catalog.model(guildId, state.activeModelId);
    if (row) {
      Object.freeze(row.createdBy);
      return Object.freeze({ kind: 'saved', row: Object.freeze(row) });
    }
  }
  return NO_WORKING_MODEL;
}

const NO_WORKING_MODEL: WorkingModel = Object.freeze({ kind: 'none' });

/** A model file as the catalog records it: rows and drafts both have these. */
type ModelFileRef = { filename: string; checksum: string; statsJson?: string };

function fileOf(working: Exclude<WorkingModel, { kind: 'none' }>): ModelFileRef {
  return working.kind === 'draft' ? working.draft : working.row;
}

function labelOf(working: Exclude<WorkingModel, { kind: 'none' }> | WorkingModel | null): FileLabel {
  if (working?.kind === 'saved') return { name: working.row.name, version: working.row.version };
  return { name: null, version: null };
}

function checkVersion(version: number | undefined): void {
  if (version !== undefined && !(Number.isInteger(version) && version >= 1 && version <= 1_000_000)) {
    throw new UserError('INVALID_PARAMETER', { name: 'version', value: String(version), reason: 'positive-integer' });
  }
}

const TRAIN_PARAM_NAMES: readonly (keyof TrainParams)[] = [
  'maxPatternLength',
  'minFrequency',
  'maxPatterns',
  'validation',
  'splitSentences',
  'embeddingDim',
];

/** Checks parameters on the main thread, before any download, one by one to name the bad one. */
function checkTrainParams(params: Partial<TrainParams>): Partial<TrainParams> {
  const checked: Partial<TrainParams> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    if (!(TRAIN_PARAM_NAMES as readonly string[]).includes(name)) {
      throw new UserError('INVALID_PARAMETER', { name, value: String(value), reason: 'unknown' });
    }
    try {
      resolveParams({ [name]: value });
    } catch (error) {
      throw new UserError('INVALID_PARAMETER', {
        name,
        value: String(value),
        reason: error instanceof Error ? error.message : 'invalid',
      });
    }
    (checked as Record<string, unknown>)[name] = value;
  }
  return checked;
}

function trainingFailure(error: unknown, base: WorkingModel | null): Error {
  if (isUserError(error)) return error;
  if (error instanceof TrainingWorkerError) {
    switch (error.kind) {
      case 'empty':
        return new UserError('EMPTY_INPUT', {});
      case 'bad-params':
        return new UserError('INVALID_PARAMETER', { name: 'params', value: '', reason: error.message });
      case 'base-format':
        return new UserError('MODEL_CORRUPT', { ...labelOf(base), detail: error.message });
      case 'internal':
        return new UserError('TRAINING_FAILED', { reason: error.message });
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

function describe(error: Error): string {
  return isUserError(error) ? `${error.code} ${JSON.stringify(error.params)}` : `${error.name}: ${error.message}`;
}

export type { TrainPhase };
