// The per-guild model manager: the engine behind every slash command. It owns guild state,
// training jobs, per-guild ordering, quotas and the model cache; it knows nothing of Discord.
// ModelManager is the facade; each concern has its own helper: training-jobs.ts (admission,
// jobs, drafts), model-loading.ts (cache, images, spare buffers, the loader worker),
// saved-models.ts (save, load, delete, export, import), guild-views.ts (status, listings),
// model-use.ts (generate, compare), sharing manager-state.ts (sections, working models).
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
import type { GenerateOptions, GenerateResult, TrainParams } from '../lm/types.js';
import {
  Catalog,
  Coordination,
  DatabaseFile,
  completePendingRestore,
  dataPaths,
  LearningStore,
  metaStoreOf,
  PresenceRow,
  ModelFiles,
  openDatabase,
  reconcile,
  type InterruptedNotice,
  type MetaStore,
  type ReconcileReport,
  type SqliteDatabase,
} from '../store/index.js';
import type { CompareOptions, Comparison } from './compare.js';
import { DatabaseGuard, logReconcile } from './database-guard.js';
import { GuildLeases } from './guild-leases.js';
import { GuildViews } from './guild-views.js';
import { ManagerState } from './manager-state.js';
import { ModelLoading, type CacheStats } from './model-loading.js';
import { ModelUse } from './model-use.js';
import { SavedModels } from './saved-models.js';
import { TrainingJobs } from './training-jobs.js';
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

export const DEFAULT_GUILD_LIMITS: GuildLimits = {
  maxModels: 25,
  maxBytes: 100 * 1024 * 1024,
  maxTrainingBytes: 20 * 1024 * 1024,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxFiles: 10,
};

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/** A complete configuration from a data directory, for the bot, the console and tests. */
export function defaultManagerConfig(dataDir: string, overrides: Partial<ManagerConfig> = {}): ManagerConfig {
  return {
    dataDir,
    modelsDir: dataPaths({ dataDir }).modelsDir,
    workers: 1,
    maxConcurrentJobs: 1,
    maxQueuedJobs: 4,
    cacheBytes: DEFAULT_CACHE_BYTES,
    limits: { ...DEFAULT_GUILD_LIMITS },
    ...overrides,
  };
}

export class ModelManager implements ModelManagerApi {
  readonly reconcileReport: ReconcileReport;
  readonly databasePath: string;
  private readonly state: ManagerState;
  /** The guilds' exclusive sections (manager-state.ts); a model is used only inside its guild's. */
  private readonly guildSections: Map<string, Promise<void>>;
  private readonly loading: ModelLoading;
  private readonly training: TrainingJobs;
  private readonly saved: SavedModels;
  private readonly views: GuildViews;
  private readonly use: ModelUse;
  /** Refuses writes once the database file is gone or replaced (database-guard.ts). */
  private readonly databaseGuard: DatabaseGuard;
  /** This process's row in the database while it is open (a restore refuses meanwhile). */
  private readonly presence: PresenceRow;
  private learning: LearningStore | null = null;

  private constructor(
    config: ManagerConfig,
    private readonly db: SqliteDatabase,
    files: ModelFiles,
    report: ReconcileReport,
    databasePath: string,
    coordination: Coordination,
    databaseFile: DatabaseFile,
  ) {
    this.databaseGuard = new DatabaseGuard(databaseFile, config.logger);
    this.presence = new PresenceRow(db, coordination.owner);
    this.state = new ManagerState(config, new Catalog(db), files, new GuildLeases(coordination), this.databaseGuard);
    this.guildSections = this.state.guildSections;
    this.reconcileReport = report;
    this.databasePath = databasePath;
    this.loading = new ModelLoading(this.state);
    this.training = new TrainingJobs(this.state, this.loading);
    this.saved = new SavedModels(this.state, this.loading);
    this.views = new GuildViews(this.state, this.loading, this.training);
    this.use = new ModelUse(this.state, this.loading);
  }

  /** Opens (and migrates) the database and reconciles it with the models directory. */
  static async open(config: ManagerConfig): Promise<ModelManager> {
    const databasePath = dataPaths(config).database;
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
    return this.training.startTraining(guildId, user, sources, params, mode, onProgress, origin);
  }

  /**
   * Trainings of these guilds that a stopped process interrupted and that were not yet reported
   * in their channel, claimed: the caller tells each channel once (a restarted bot does).
   */
  claimInterruptedNotices(guildIds: readonly string[]): InterruptedNotice[] {
    return this.views.claimInterruptedNotices(guildIds);
  }

  cancel(guildId: string): boolean {
    return this.training.cancel(guildId);
  }

  // ---- saved models ------------------------------------------------------------------------

  save(guildId: string, user: Actor, name: string, expected?: { jobId: string }): Promise<SavedModelInfo> {
    return this.saved.save(guildId, user, name, expected);
  }

  exportModel(guildId: string, name: string, version?: number): Promise<ExportedModel> {
    return this.saved.exportModel(guildId, name, version);
  }

  importModel(guildId: string, user: Actor, file: TrainingSource, name?: string): Promise<SavedModelInfo> {
    return this.saved.importModel(guildId, user, file, name);
  }

  load(guildId: string, name: string, version?: number): Promise<SavedModelInfo> {
    return this.saved.load(guildId, name, version);
  }

  list(guildId: string): ModelListing[] {
    return this.views.list(guildId);
  }

  findVersions(guildId: string, name: string, version?: number): { name: string; versions: SavedModelInfo[] } {
    return this.views.findVersions(guildId, name, version);
  }

  delete(guildId: string, name: string, version?: number): Promise<{ deleted: SavedModelInfo[]; wasActive: boolean }> {
    return this.saved.delete(guildId, name, version);
  }

  suggest(guildId: string, query: string): ModelChoice[] {
    return this.views.suggest(guildId, query);
  }

  /**
   * Two saved models side by side (compare.ts). Neither becomes active; a model already cached is
   * used from the cache, any other is decoded for this call only and never enters the cache, so
   * comparing evicts nothing (the active model stays in memory).
   */
  compare(
    guildId: string,
    first: { name: string; version?: number },
    second: { name: string; version?: number },
    options: CompareOptions,
    file?: TrainingSource,
  ): Promise<Comparison> {
    return this.use.compare(guildId, first, second, options, file);
  }

  // ---- using the working model -------------------------------------------------------------

  generate(guildId: string, options: GenerateOptions, hooks?: GenerateHooks): Promise<GenerateResult> {
    return this.use.generate(guildId, options, hooks);
  }

  status(guildId: string): GuildStatus {
    return this.views.status(guildId);
  }

  /**
   * Whether the working model's file is there and matches its checksum (/status warns
   * instead of showing a lost model's statistics as if it were fine). 'none': no working model.
   */
  activeFileHealth(guildId: string): Promise<'none' | 'ok' | 'missing' | 'damaged'> {
    return this.views.activeFileHealth(guildId);
  }

  orphanedModelFiles(guildId: string): Promise<number> {
    return this.views.orphanedModelFiles(guildId);
  }

  generationReadiness(guildId: string): 'none' | 'in-memory' | 'needs-load' {
    return this.views.generationReadiness(guildId);
  }

  hasUnsavedWorkingModel(guildId: string): boolean {
    return this.views.hasUnsavedWorkingModel(guildId);
  }

  /**
   * Figures for benchmarks and health reports. `spareBytes`: array buffers of evicted models kept
   * for the next loads (spare-buffers.ts); `spareReuses`: loads that decoded into any of them.
   */
  cacheStats(): CacheStats {
    return this.loading.stats();
  }

  /**
   * The tables of learning from channels (channel-learning.ts) on this manager's connection: one
   * connection to the database per process, closed by close().
   */
  learningStore(): LearningStore {
    this.learning ??= new LearningStore(this.db);
    return this.learning;
  }

  /** The meta table (registration.ts: the registered commands' fingerprint), on the same connection. */
  metaStore(): MetaStore {
    return metaStoreOf(this.state.catalog);
  }

  /**
   * Stops accepting work, cancels queued and running trainings (a training that is already
   * writing its result finishes), waits for in-progress operations, then closes the database.
   */
  close(): Promise<void> {
    this.state.closing ??= (async () => {
      this.training.abortAll();
      await Promise.allSettled([...this.state.inFlight]);
      await Promise.allSettled([...this.guildSections.values()]);
      await this.loading.settle();
      await this.training.close();
      await this.loading.close();
      this.presence.stop();
      this.db.close();
      this.databaseGuard.close();
    })();
    return this.state.closing;
  }
}
