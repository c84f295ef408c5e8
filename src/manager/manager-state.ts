// What every part of the manager shares: the catalog and model files, the guilds' exclusive
// sections (the per-guild ordering described in model-manager.ts), the cached working models,
// the cross-process leases, the database guard, and whether the manager is closing.
import { UserError } from '../errors.js';
import type { IngestLimits } from '../ingest/index.js';
import type { Catalog, ModelFiles } from '../store/index.js';
import type { DatabaseGuard } from './database-guard.js';
import { busyRejection, type GuildLeases } from './guild-leases.js';
import { GuildStateCache } from './guild-state-cache.js';
import type { ManagerConfig } from './types.js';
import { readWorkingModel, type WorkingModel } from './working-model.js';

export class ManagerState {
  readonly now: () => number;
  readonly guildSections = new Map<string, Promise<void>>();
  readonly inFlight = new Set<Promise<unknown>>();
  /** Per guild, the job whose draft this process's last training made (what /save must save). */
  readonly trainedHere = new Map<string, string>();
  private readonly workingModels: GuildStateCache<WorkingModel>;
  closing: Promise<void> | null = null;

  constructor(
    readonly config: ManagerConfig,
    readonly catalog: Catalog,
    readonly files: ModelFiles,
    /** Cross-process claims on a guild (guild-leases.ts). */
    readonly leases: GuildLeases,
    /** Refuses writes once the database file is gone or replaced (database-guard.ts). */
    readonly databaseGuard: DatabaseGuard,
  ) {
    this.now = config.now ?? Date.now;
    this.workingModels = new GuildStateCache<WorkingModel>(catalog);
  }

  assertOpen(): void {
    if (this.closing) throw new UserError('SHUTTING_DOWN', {});
  }

  track(promise: Promise<unknown>): void {
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
  claimed<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    // Every write command passes here: a database file removed or replaced under the process
    // refuses it before anything is written.
    return this.exclusive(guildId, () => {
      this.databaseGuard.assertWritable();
      return this.leases.withSection(guildId, work);
    }).catch(busyRejection);
  }

  /** Runs `work` after every earlier exclusive operation of the same guild has finished. */
  exclusive<T>(guildId: string, work: () => Promise<T>): Promise<T> {
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
  workingModel(guildId: string): WorkingModel {
    const cached = this.workingModels.get(guildId);
    if (cached !== undefined) return cached;
    const working = readWorkingModel(this.catalog, guildId);
    this.workingModels.set(guildId, working);
    return working;
  }

  ingestLimits(): IngestLimits {
    const limits = this.config.limits;
    return {
      maxFiles: limits.maxFiles,
      maxFileBytes: Math.min(limits.maxAttachmentBytes, limits.maxTrainingBytes),
      maxTotalBytes: limits.maxTrainingBytes,
      downloadTimeoutMs: this.config.downloadTimeoutMs ?? 30_000,
    };
  }
}
