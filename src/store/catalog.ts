// The metadata catalog: every SQL statement of the bot, prepared once. Each method is keyed by
// guild id; there is no query that reaches another guild's rows by model id alone.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

export interface Creator {
  id: string;
  name: string;
}

export interface ModelRow {
  id: number;
  guildId: string;
  name: string;
  nameKey: string;
  version: number;
  filename: string;
  bytes: number;
  checksum: string;
  createdAt: number;
  createdBy: Creator;
  paramsJson: string;
  statsJson: string;
  corpusJson: string;
  available: boolean;
  unavailableReason: string | null;
}

export type NewModelRow = Omit<ModelRow, 'id' | 'available' | 'unavailableReason'>;

/** The guild's unsaved working model: the result of its last training. */
export interface DraftRef {
  filename: string;
  bytes: number;
  checksum: string;
  createdAt: number;
  createdBy: Creator;
  statsJson: string;
}

export interface GuildStateRow {
  guildId: string;
  activeModelId: number | null;
  draft: DraftRef | null;
  updatedAt: number;
}

export type JobKind = 'train-new' | 'train-append';
/** A training a stopped process interrupted, to be told in the channel it was started from. */
export interface InterruptedNotice {
  jobId: string;
  guildId: string;
  channelId: string;
  userName: string;
  startedAt: number;
}

export type JobState = 'queued' | 'running' | 'writing' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRow {
  id: string;
  guildId: string;
  user: Creator;
  kind: JobKind;
  state: JobState;
  phase: string | null;
  progress: number;
  message: string | null;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
  result: DraftRef | null;
}

interface RawModel {
  id: number;
  guild_id: string;
  name: string;
  name_key: string;
  version: number;
  filename: string;
  bytes: number;
  checksum: string;
  created_at: number;
  created_by_id: string;
  created_by_name: string;
  params_json: string;
  stats_json: string;
  corpus_json: string;
  available: number;
  unavailable_reason: string | null;
}

interface RawGuildState {
  guild_id: string;
  active_model_id: number | null;
  draft_filename: string | null;
  draft_bytes: number | null;
  draft_checksum: string | null;
  draft_created_at: number | null;
  draft_created_by_id: string | null;
  draft_created_by_name: string | null;
  draft_stats_json: string | null;
  updated_at: number;
}

interface RawJob {
  id: string;
  guild_id: string;
  user_id: string;
  user_name: string;
  kind: JobKind;
  state: JobState;
  phase: string | null;
  progress: number;
  message: string | null;
  started_at: number;
  finished_at: number | null;
  error: string | null;
  result_filename: string | null;
  result_checksum: string | null;
  result_bytes: number | null;
  result_stats_json: string | null;
  result_created_at: number | null;
}

const MODEL_COLUMNS = `id, guild_id, name, name_key, version, filename, bytes, checksum, created_at, created_by_id,
  created_by_name, params_json, stats_json, corpus_json, available, unavailable_reason`;

export class Catalog {
  private readonly statements: ReturnType<typeof prepare>;
  private writes = 0;

  constructor(readonly db: SqliteDatabase) {
    this.statements = prepare(db, () => {
      this.writes++;
    });
  }

  // ---- change detection --------------------------------------------------------------------

  /**
   * Counts the writing statements run through this catalog (committed or not). SQLite's
   * data_version does not move for a connection's own commits; this does.
   */
  get writeCount(): number {
    return this.writes;
  }

  /**
   * PRAGMA data_version: changes whenever another connection (another shard process, the console
   * on the same data directory, a second connection in this process) committed since the last
   * call. With writeCount it tells a cache of rows whether anything may have changed.
   */
  dataVersion(): number {
    return this.statements.dataVersion.get() as number;
  }

  // ---- models ------------------------------------------------------------------------------

  /** Newest version first within each name; names in key order. */
  listModels(guildId: string): ModelRow[] {
    return (this.statements.listModels.all(guildId) as RawModel[]).map(toModel);
  }

  versionsOf(guildId: string, nameKey: string): ModelRow[] {
    return (this.statements.versionsOf.all(guildId, nameKey) as RawModel[]).map(toModel);
  }

  model(guildId: string, id: number): ModelRow | undefined {
    const raw = this.statements.modelById.get(id, guildId) as RawModel | undefined;
    return raw && toModel(raw);
  }

  usage(guildId: string): { models: number; bytes: number } {
    const row = this.statements.usage.get(guildId) as { models: number; bytes: number };
    return { models: row.models, bytes: row.bytes };
  }

  nextVersion(guildId: string, nameKey: string): number {
    const row = this.statements.maxVersion.get(guildId, nameKey) as { version: number | null };
    return (row.version ?? 0) + 1;
  }

  filenameTaken(guildId: string, filename: string): boolean {
    return this.statements.filenameTaken.get(guildId, filename) !== undefined;
  }

  /** Latest version of each name whose key contains `keyQuery`, up to `limit`. */
  suggest(guildId: string, keyQuery: string, limit: number): ModelRow[] {
    return (this.statements.suggest.all({ guildId, query: keyQuery, limit }) as RawModel[]).map(toModel);
  }

  setAvailability(guildId: string, id: number, available: boolean, reason: string | null): void {
    this.statements.setAvailability.run(available ? 1 : 0, available ? null : reason, id, guildId);
  }

  // Write transactions are IMMEDIATE: a deferred one that reads first can fail at its first
  // write with SQLITE_BUSY without waiting (another process committed since its read).

  /**
   * Records a saved model and makes it the guild's active model, replacing the draft, in one
   * transaction. The caller wrote the file (fsynced) before calling, so a committed row always
   * has its file.
   */
  commitSave(row: NewModelRow, at: number): number {
    return this.db
      .transaction(() => {
        const id = this.insertModelRow(row);
        this.statements.upsertActive.run({ guildId: row.guildId, modelId: id, at });
        return id;
      })
      .immediate();
  }

  /** Records a saved model without making it active (an import): its file is written already. */
  insertModel(row: NewModelRow): number {
    return this.db.transaction(() => this.insertModelRow(row))();
  }

  private insertModelRow(row: NewModelRow): number {
    const info = this.statements.insertModel.run(
      row.guildId,
      row.name,
      row.nameKey,
      row.version,
      row.filename,
      row.bytes,
      row.checksum,
      row.createdAt,
      row.createdBy.id,
      row.createdBy.name,
      row.paramsJson,
      row.statsJson,
      row.corpusJson,
    );
    return Number(info.lastInsertRowid);
  }

  /**
   * Deletes rows first (the file goes after, so a crash in between leaves an orphan file,
   * never a row pointing to nothing). Returns whether the active model was among them.
   */
  deleteModels(guildId: string, ids: number[], at: number): { wasActive: boolean } {
    return this.db
      .transaction(() => {
        const state = this.guildState(guildId);
        const wasActive = state?.activeModelId != null && ids.includes(state.activeModelId);
        if (wasActive) this.statements.clearActive.run(at, guildId);
        for (const id of ids) this.statements.deleteModel.run(id, guildId);
        return { wasActive };
      })
      .immediate();
  }

  // ---- guild state -------------------------------------------------------------------------

  guildState(guildId: string): GuildStateRow | undefined {
    const raw = this.statements.guildState.get(guildId) as RawGuildState | undefined;
    return raw && toGuildState(raw);
  }

  /** Makes a saved model the working model, discarding the draft reference. */
  setActive(guildId: string, modelId: number, at: number): void {
    this.statements.upsertActive.run({ guildId, modelId, at });
  }

  clearDraft(guildId: string, at: number): void {
    this.statements.clearDraft.run(at, guildId);
  }

  // ---- jobs --------------------------------------------------------------------------------

  insertJob(job: {
    id: string;
    guildId: string;
    user: Creator;
    kind: JobKind;
    state: JobState;
    startedAt: number;
    channelId?: string | null;
  }): void {
    this.statements.insertJob.run(
      job.id,
      job.guildId,
      job.user.id,
      job.user.name,
      job.kind,
      job.state,
      job.startedAt,
      job.channelId ?? null,
    );
  }

  /**
   * Trainings of these guilds that a stopped process interrupted and that nobody has reported
   * in their channel yet, each claimed here (at most one process tells a server about one).
   */
  claimInterruptedNotices(guildIds: readonly string[], at: number): InterruptedNotice[] {
    const served = new Set(guildIds);
    const claimed: InterruptedNotice[] = [];
    // Few rows (interrupted and not yet told, anywhere): one query, then this process's guilds.
    for (const row of this.statements.unnotifiedInterrupted.all() as {
      id: string;
      guild_id: string;
      channel_id: string;
      user_name: string;
      started_at: number;
    }[]) {
      if (!served.has(row.guild_id)) continue;
      if (this.statements.claimNotice.run(at, row.id).changes === 1) {
        claimed.push({
          jobId: row.id,
          guildId: row.guild_id,
          channelId: row.channel_id,
          userName: row.user_name,
          startedAt: row.started_at,
        });
      }
    }
    return claimed;
  }

  updateJobProgress(id: string, state: JobState, phase: string, progress: number): void {
    this.statements.updateJobProgress.run(state, phase, progress, id);
  }

  /**
   * Records the draft a finishing job is about to write, before writing it: if the process
   * dies between the file and the commit, reconcile finds the file through this row and
   * adopts it instead of losing the training.
   */
  markJobWriting(id: string, result: DraftRef): void {
    this.statements.markJobWriting.run(
      result.filename,
      result.checksum,
      result.bytes,
      result.statsJson,
      result.createdAt,
      id,
    );
  }

  /** The training result becomes the guild's working model and the job closes, atomically. */
  commitTrainingResult(guildId: string, jobId: string, draft: DraftRef, at: number, message: string | null): void {
    this.db
      .transaction(() => {
        this.statements.upsertDraft.run({
          guildId,
          filename: draft.filename,
          bytes: draft.bytes,
          checksum: draft.checksum,
          createdAt: draft.createdAt,
          createdById: draft.createdBy.id,
          createdByName: draft.createdBy.name,
          statsJson: draft.statsJson,
          at,
        });
        this.statements.finishJob.run({ state: 'done', at, message, error: null, id: jobId });
      })
      .immediate();
  }

  finishJob(
    id: string,
    state: Exclude<JobState, 'queued' | 'running' | 'writing'>,
    at: number,
    error: string | null,
  ): void {
    this.statements.finishJob.run({ state, at, message: null, error, id });
  }

  job(id: string): JobRow | undefined {
    const raw = this.statements.job.get(id) as RawJob | undefined;
    return raw && toJob(raw);
  }

  openJobs(): JobRow[] {
    return (this.statements.openJobs.all() as RawJob[]).map(toJob);
  }

  // ---- meta --------------------------------------------------------------------------------

  getMeta(key: string): string | undefined {
    return (this.statements.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.statements.setMeta.run({ key, value });
  }

  /** Guild ids that have any metadata, for reconcile. */
  knownGuildIds(): string[] {
    return (this.statements.knownGuilds.all() as { guild_id: string }[]).map((row) => row.guild_id);
  }
}

function prepare(db: SqliteDatabase, onWrite: () => void) {
  const statement = (sql: string): Statement => {
    const prepared = db.prepare(sql);
    // Every statement that changes data reports it (caches of rows are then invalidated), so a
    // write added here later cannot be forgotten.
    if (!prepared.reader) {
      const run = prepared.run;
      prepared.run = function (this: Statement, ...params: unknown[]) {
        onWrite();
        return run.apply(this, params);
      };
    }
    return prepared;
  };
  return {
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    listModels: statement(`SELECT ${MODEL_COLUMNS} FROM models WHERE guild_id = ? ORDER BY name_key, version DESC`),
    versionsOf: statement(
      `SELECT ${MODEL_COLUMNS} FROM models WHERE guild_id = ? AND name_key = ? ORDER BY version DESC`,
    ),
    modelById: statement(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ? AND guild_id = ?`),
    usage: statement(`SELECT count(*) AS models, coalesce(sum(bytes), 0) AS bytes FROM models WHERE guild_id = ?`),
    maxVersion: statement(`SELECT max(version) AS version FROM models WHERE guild_id = ? AND name_key = ?`),
    filenameTaken: statement(`SELECT 1 FROM models WHERE guild_id = ? AND filename = ?`),
    suggest: statement(
      `SELECT ${MODEL_COLUMNS} FROM models AS m
       WHERE guild_id = @guildId AND instr(name_key, @query) > 0
         AND version = (SELECT max(version) FROM models WHERE guild_id = m.guild_id AND name_key = m.name_key)
       ORDER BY instr(name_key, @query), name_key LIMIT @limit`,
    ),
    setAvailability: statement(`UPDATE models SET available = ?, unavailable_reason = ? WHERE id = ? AND guild_id = ?`),
    insertModel: statement(
      `INSERT INTO models (guild_id, name, name_key, version, filename, bytes, checksum, created_at, created_by_id,
         created_by_name, params_json, stats_json, corpus_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteModel: statement(`DELETE FROM models WHERE id = ? AND guild_id = ?`),
    guildState: statement(`SELECT * FROM guild_state WHERE guild_id = ?`),
    upsertActive: statement(
      `INSERT INTO guild_state (guild_id, active_model_id, updated_at) VALUES (@guildId, @modelId, @at)
       ON CONFLICT (guild_id) DO UPDATE SET active_model_id = @modelId, draft_filename = NULL, draft_bytes = NULL,
         draft_checksum = NULL, draft_created_at = NULL, draft_created_by_id = NULL, draft_created_by_name = NULL,
         draft_stats_json = NULL, updated_at = @at`,
    ),
    upsertDraft: statement(
      `INSERT INTO guild_state (guild_id, active_model_id, draft_filename, draft_bytes, draft_checksum, draft_created_at,
         draft_created_by_id, draft_created_by_name, draft_stats_json, updated_at)
       VALUES (@guildId, NULL, @filename, @bytes, @checksum, @createdAt, @createdById, @createdByName, @statsJson, @at)
       ON CONFLICT (guild_id) DO UPDATE SET active_model_id = NULL, draft_filename = @filename, draft_bytes = @bytes,
         draft_checksum = @checksum, draft_created_at = @createdAt, draft_created_by_id = @createdById,
         draft_created_by_name = @createdByName, draft_stats_json = @statsJson, updated_at = @at`,
    ),
    clearActive: statement(`UPDATE guild_state SET active_model_id = NULL, updated_at = ? WHERE guild_id = ?`),
    clearDraft: statement(
      `UPDATE guild_state SET draft_filename = NULL, draft_bytes = NULL, draft_checksum = NULL, draft_created_at = NULL,
         draft_created_by_id = NULL, draft_created_by_name = NULL, draft_stats_json = NULL, updated_at = ?
       WHERE guild_id = ?`,
    ),
    insertJob: statement(
      `INSERT INTO jobs (id, guild_id, user_id, user_name, kind, state, started_at, channel_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateJobProgress: statement(`UPDATE jobs SET state = ?, phase = ?, progress = ? WHERE id = ?`),
    unnotifiedInterrupted: statement(
      `SELECT id, guild_id, channel_id, user_name, started_at FROM jobs
       WHERE state = 'interrupted' AND channel_id IS NOT NULL AND notified_at IS NULL
       ORDER BY started_at`,
    ),
    claimNotice: statement(`UPDATE jobs SET notified_at = ? WHERE id = ? AND notified_at IS NULL`),
    markJobWriting: statement(
      `UPDATE jobs SET state = 'writing', phase = 'save', result_filename = ?, result_checksum = ?, result_bytes = ?,
         result_stats_json = ?, result_created_at = ? WHERE id = ?`,
    ),
    finishJob: statement(
      `UPDATE jobs SET state = @state, finished_at = @at, message = coalesce(@message, message), error = @error,
         progress = CASE WHEN @state = 'done' THEN 1 ELSE progress END WHERE id = @id`,
    ),
    job: statement(`SELECT * FROM jobs WHERE id = ?`),
    openJobs: statement(`SELECT * FROM jobs WHERE state IN ('queued', 'running', 'writing') ORDER BY started_at`),
    getMeta: statement(`SELECT value FROM meta WHERE key = ?`),
    setMeta: statement(
      `INSERT INTO meta (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = @value`,
    ),
    knownGuilds: statement(`SELECT guild_id FROM models UNION SELECT guild_id FROM guild_state ORDER BY 1`),
  };
}

function toModel(raw: RawModel): ModelRow {
  return {
    id: raw.id,
    guildId: raw.guild_id,
    name: raw.name,
    nameKey: raw.name_key,
    version: raw.version,
    filename: raw.filename,
    bytes: raw.bytes,
    checksum: raw.checksum,
    createdAt: raw.created_at,
    createdBy: { id: raw.created_by_id, name: raw.created_by_name },
    paramsJson: raw.params_json,
    statsJson: raw.stats_json,
    corpusJson: raw.corpus_json,
    available: raw.available === 1,
    unavailableReason: raw.unavailable_reason,
  };
}

function toGuildState(raw: RawGuildState): GuildStateRow {
  const draft: DraftRef | null =
    raw.draft_filename === null
      ? null
      : {
          filename: raw.draft_filename,
          bytes: raw.draft_bytes ?? 0,
          checksum: raw.draft_checksum ?? '',
          createdAt: raw.draft_created_at ?? 0,
          createdBy: { id: raw.draft_created_by_id ?? '', name: raw.draft_created_by_name ?? '' },
          statsJson: raw.draft_stats_json ?? 'null',
        };
  return { guildId: raw.guild_id, activeModelId: raw.active_model_id, draft, updatedAt: raw.updated_at };
}

function toJob(raw: RawJob): JobRow {
  const result: DraftRef | null =
    raw.result_filename === null
      ? null
      : {
          filename: raw.result_filename,
          bytes: raw.result_bytes ?? 0,
          checksum: raw.result_checksum ?? '',
          createdAt: raw.result_created_at ?? raw.started_at,
          createdBy: { id: raw.user_id, name: raw.user_name },
          statsJson: raw.result_stats_json ?? 'null',
        };
  return {
    id: raw.id,
    guildId: raw.guild_id,
    user: { id: raw.user_id, name: raw.user_name },
    kind: raw.kind,
    state: raw.state,
    phase: raw.phase,
    progress: raw.progress,
    message: raw.message,
    startedAt: raw.started_at,
    finishedAt: raw.finished_at,
    error: raw.error,
    result,
  };
}
