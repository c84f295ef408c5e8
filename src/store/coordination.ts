// Several processes on one data directory (two consoles with --guild, the bot and a console,
// shards): the SQL that keeps them from crossing.
//
// Leases. A row (guild, kind) names the process that holds a guild's training slot ('training')
// or its exclusive section ('section': save, load, delete, the commit of a training), until
// `expires_at`. The holder renews it while it works and deletes it when done. Another process
// may take it over once it has expired or, on the same machine, as soon as the holder's process
// id is gone (a crash), so a dead process never blocks a guild for longer than one lease.
//
// Pending deletes. A delete removes its rows and records their files here in one transaction,
// then removes the files and the record. A crash in between leaves the record: the next start
// finishes the delete instead of keeping the files in .orphans/ for ever.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import { processAlive } from './durable.js';

export type LeaseKind = 'training' | 'section';

export interface LeaseHolder {
  guildId: string;
  kind: LeaseKind;
  owner: string;
  jobId: string | null;
  expiresAt: number;
}

interface RawLease {
  guild_id: string;
  kind: LeaseKind;
  owner: string;
  job_id: string | null;
  expires_at: number;
}

export interface CoordinationOptions {
  /** Wall clock shared by every process (not a test's fake clock: expiry compares across processes). */
  clock?: () => number;
  /** Whether a process of this machine is running; tests replace it to simulate a crash. */
  processAlive?: (pid: number) => boolean;
}

/** `host/pid/token`: the process, and this open database within it (two managers of one process differ). */
function newLeaseOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(6).toString('hex')}`;
}

export class Coordination {
  private readonly statements: ReturnType<typeof prepare>;
  private readonly clock: () => number;
  private readonly alive: (pid: number) => boolean;
  private readonly host = hostname();

  constructor(
    readonly db: SqliteDatabase,
    readonly owner: string = newLeaseOwner(),
    options: CoordinationOptions = {},
  ) {
    this.statements = prepare(db);
    this.clock = options.clock ?? Date.now;
    this.alive = options.processAlive ?? processAlive;
  }

  // ---- leases ------------------------------------------------------------------------------

  /**
   * Takes (or renews) the lease unless another live owner holds it. Returns null when this owner
   * now holds it, else the live holder. Taking over a dead holder's training lease closes its
   * job row as interrupted.
   */
  acquire(guildId: string, kind: LeaseKind, jobId: string | null, ttlMs: number): LeaseHolder | null {
    return this.db
      .transaction(() => {
        const current = this.row(guildId, kind);
        if (current && current.owner !== this.owner) {
          if (this.isLive(current)) return current;
          if (kind === 'training' && current.jobId) this.statements.interruptJob.run(this.clock(), current.jobId);
        }
        this.statements.upsert.run({ guildId, kind, owner: this.owner, jobId, expiresAt: this.clock() + ttlMs });
        return null;
      })
      .immediate();
  }

  /** Extends this owner's lease; false when it no longer holds it (taken over after expiry). */
  renew(guildId: string, kind: LeaseKind, ttlMs: number): boolean {
    return this.statements.renew.run(this.clock() + ttlMs, guildId, kind, this.owner).changes > 0;
  }

  release(guildId: string, kind: LeaseKind): void {
    this.statements.release.run(guildId, kind, this.owner);
  }

  /** The live holder of a lease (this owner included), or null. */
  holder(guildId: string, kind: LeaseKind): LeaseHolder | null {
    const current = this.row(guildId, kind);
    return current && this.isLive(current) ? current : null;
  }

  /** A live lease of another owner on the guild (any kind), or null. */
  heldElsewhere(guildId: string): LeaseHolder | null {
    for (const kind of ['training', 'section'] as const) {
      const current = this.holder(guildId, kind);
      if (current && current.owner !== this.owner) return current;
    }
    return null;
  }

  /**
   * A dead holder's training lease is removed and its job row closed as interrupted: what a
   * restart would find, found by the next process that looks.
   */
  reapTraining(guildId: string): void {
    const current = this.row(guildId, 'training');
    if (!current || current.owner === this.owner || this.isLive(current)) return;
    this.db
      .transaction(() => {
        if (current.jobId) this.statements.interruptJob.run(this.clock(), current.jobId);
        this.statements.releaseExact.run(guildId, 'training', current.owner);
      })
      .immediate();
  }

  /** Whether the holder is still running: not expired and, on this machine, its process alive. */
  isLive(lease: LeaseHolder): boolean {
    if (lease.expiresAt <= this.clock()) return false;
    const [host, pid] = lease.owner.split('/');
    if (host === this.host && Number.isInteger(Number(pid)) && !this.alive(Number(pid))) return false;
    return true;
  }

  private row(guildId: string, kind: LeaseKind): LeaseHolder | null {
    const raw = this.statements.get.get(guildId, kind) as RawLease | undefined;
    return raw
      ? { guildId: raw.guild_id, kind: raw.kind, owner: raw.owner, jobId: raw.job_id, expiresAt: raw.expires_at }
      : null;
  }

  // ---- pending deletes ---------------------------------------------------------------------

  /** Runs `deleteRows` and records `filenames` as to be removed, in one transaction. */
  recordDelete<T>(guildId: string, filenames: string[], deleteRows: () => T): T {
    return this.db
      .transaction(() => {
        for (const filename of filenames) this.statements.addPending.run(guildId, filename);
        return deleteRows();
      })
      .immediate();
  }

  deleteDone(guildId: string, filename: string): void {
    this.statements.removePending.run(guildId, filename);
  }

  pendingDeletes(guildId: string): string[] {
    return (this.statements.pending.all(guildId) as { filename: string }[]).map((row) => row.filename);
  }

  // ---- jobs as other processes see them ----------------------------------------------------

  /** The guild's most recent job row: how /status tells of a training a crash interrupted. */
  lastJob(
    guildId: string,
  ): { id: string; state: string; userName: string; startedAt: number; finishedAt: number | null } | null {
    const raw = this.statements.lastJob.get(guildId) as
      | { id: string; state: string; user_name: string; started_at: number; finished_at: number | null }
      | undefined;
    return raw
      ? {
          id: raw.id,
          state: raw.state,
          userName: raw.user_name,
          startedAt: raw.started_at,
          finishedAt: raw.finished_at,
        }
      : null;
  }
}

function prepare(db: SqliteDatabase): Record<string, Statement> {
  return {
    get: db.prepare(`SELECT * FROM leases WHERE guild_id = ? AND kind = ?`),
    upsert: db.prepare(
      `INSERT INTO leases (guild_id, kind, owner, job_id, expires_at) VALUES (@guildId, @kind, @owner, @jobId, @expiresAt)
       ON CONFLICT (guild_id, kind) DO UPDATE SET owner = @owner, job_id = @jobId, expires_at = @expiresAt`,
    ),
    renew: db.prepare(`UPDATE leases SET expires_at = ? WHERE guild_id = ? AND kind = ? AND owner = ?`),
    release: db.prepare(`DELETE FROM leases WHERE guild_id = ? AND kind = ? AND owner = ?`),
    releaseExact: db.prepare(`DELETE FROM leases WHERE guild_id = ? AND kind = ? AND owner = ?`),
    interruptJob: db.prepare(
      `UPDATE jobs SET state = 'interrupted', finished_at = ?, error = 'the process stopped during the job'
       WHERE id = ? AND state IN ('queued', 'running')`,
    ),
    addPending: db.prepare(`INSERT OR IGNORE INTO pending_deletes (guild_id, filename) VALUES (?, ?)`),
    removePending: db.prepare(`DELETE FROM pending_deletes WHERE guild_id = ? AND filename = ?`),
    pending: db.prepare(`SELECT filename FROM pending_deletes WHERE guild_id = ? ORDER BY filename`),
    lastJob: db.prepare(
      `SELECT id, state, user_name, started_at, finished_at FROM jobs WHERE guild_id = ? ORDER BY rowid DESC LIMIT 1`,
    ),
  };
}
