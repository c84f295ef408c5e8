// What a guild can read without changing anything: /status, the listings, autocomplete, whether
// generate() can answer at once, and the interrupted trainings to report.
import type { ModelStats } from '../lm/types.js';
import { modelNameKey, retryBusy, validateGuildId, type Coordination, type InterruptedNotice } from '../store/index.js';
import type { ManagerState } from './manager-state.js';
import type { ModelLoading } from './model-loading.js';
import { isRecoverableFile } from './recover.js';
import { checkedModelName, designatedVersions, savedModelInfo } from './saved-lookup.js';
import type { TrainingJobs } from './training-jobs.js';
import type { GuildStatus, JobProgress, ModelChoice, ModelListing, SavedModelInfo } from './types.js';
import { fileOf } from './working-model.js';

const AUTOCOMPLETE_CHOICES = 25;

export class GuildViews {
  constructor(
    private readonly state: ManagerState,
    private readonly loading: ModelLoading,
    private readonly training: TrainingJobs,
  ) {}

  /** See ModelManager.claimInterruptedNotices. */
  claimInterruptedNotices(guildIds: readonly string[]): InterruptedNotice[] {
    this.state.assertOpen();
    for (const guildId of guildIds) validateGuildId(guildId);
    return retryBusy(() => this.state.catalog.claimInterruptedNotices(guildIds, this.state.now()));
  }

  list(guildId: string): ModelListing[] {
    this.state.assertOpen();
    validateGuildId(guildId);
    const activeId = this.state.catalog.guildState(guildId)?.activeModelId ?? null;
    const listings: ModelListing[] = [];
    let current: ModelListing | null = null;
    let currentKey = '';
    for (const row of this.state.catalog.listModels(guildId)) {
      if (current === null || row.nameKey !== currentKey) {
        current = { name: row.name, versions: [] };
        currentKey = row.nameKey;
        listings.push(current);
      }
      current.versions.push(savedModelInfo(row, activeId));
    }
    return listings;
  }

  findVersions(guildId: string, name: string, version?: number): { name: string; versions: SavedModelInfo[] } {
    const modelName = checkedModelName(this.state, guildId, name, version);
    const catalog = this.state.catalog;
    const rows = designatedVersions(catalog, guildId, modelName, version);
    const activeId = catalog.guildState(guildId)?.activeModelId ?? null;
    return { name: rows[0].name, versions: rows.map((row) => savedModelInfo(row, activeId)) };
  }

  suggest(guildId: string, query: string): ModelChoice[] {
    this.state.assertOpen();
    validateGuildId(guildId);
    const key = modelNameKey(
      String(query ?? '')
        .trim()
        .slice(0, 100),
    );
    return this.state.catalog.suggest(guildId, key, AUTOCOMPLETE_CHOICES).map((row) => ({
      name: row.name,
      version: row.version,
      createdAt: row.createdAt,
      bytes: row.bytes,
    }));
  }

  status(guildId: string): GuildStatus {
    this.state.assertOpen();
    validateGuildId(guildId);
    const working = this.state.workingModel(guildId);
    let active: GuildStatus['active'];
    if (working.kind === 'draft') {
      active = {
        kind: 'working',
        saved: false,
        stats: JSON.parse(working.draft.statsJson) as ModelStats,
        trainedAt: working.draft.createdAt,
        trainedBy: { ...working.draft.createdBy },
        fileBytes: working.draft.bytes,
      };
    } else if (working.kind === 'saved') {
      active = { kind: 'saved', saved: true, model: savedModelInfo(working.row, working.row.id) };
    } else {
      active = { kind: 'none' };
    }
    const job = this.training.running(guildId);
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
      interrupted: job ? null : interruptedTraining(this.state.leases.coordination, guildId),
      databaseLost: this.state.databaseGuard.lostState(),
      usage: this.state.catalog.usage(guildId),
      limits: { ...this.state.config.limits },
    };
  }

  /** A training another process runs on the guild, as its job row records it. */
  private otherProcessJob(guildId: string): GuildStatus['job'] {
    const holder = this.state.leases.otherTraining(guildId);
    const row = holder?.jobId ? this.state.catalog.job(holder.jobId) : undefined;
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

  /** See ModelManager.activeFileHealth. */
  async activeFileHealth(guildId: string): Promise<'none' | 'ok' | 'missing' | 'damaged'> {
    this.state.assertOpen();
    validateGuildId(guildId);
    const working = this.state.workingModel(guildId);
    if (working.kind === 'none') return 'none';
    const file = fileOf(working);
    const check = await this.state.files.check(guildId, file.filename, file.checksum, true);
    return check.kind === 'ok' ? 'ok' : check.kind === 'missing' ? 'missing' : 'damaged';
  }

  async orphanedModelFiles(guildId: string): Promise<number> {
    this.state.assertOpen();
    validateGuildId(guildId);
    return (await this.state.files.orphanFiles(guildId)).filter(isRecoverableFile).length;
  }

  generationReadiness(guildId: string): 'none' | 'in-memory' | 'needs-load' {
    this.state.assertOpen();
    validateGuildId(guildId);
    const working = this.state.workingModel(guildId);
    if (working.kind === 'none') return 'none';
    return this.loading.has(guildId, fileOf(working).filename) ? 'in-memory' : 'needs-load';
  }

  hasUnsavedWorkingModel(guildId: string): boolean {
    this.state.assertOpen();
    validateGuildId(guildId);
    return this.state.catalog.guildState(guildId)?.draft != null;
  }
}

/** The guild's last training, when a stopped process interrupted it (shown by /status until the next training). */
function interruptedTraining(coordination: Coordination, guildId: string): GuildStatus['interrupted'] {
  const last = coordination.lastJob(guildId);
  if (last?.state !== 'interrupted') return null;
  return { jobId: last.id, userName: last.userName, startedAt: last.startedAt, stoppedAt: last.finishedAt };
}
