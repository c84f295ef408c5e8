// Which processes have the database open (a restore refuses while a bot, a shard or a
// console runs on the data folders). Each manager writes a row `process/<owner>` in `meta` when it
// opens and renews it while it runs; the row names its host and pid and expires, as leases do
// (coordination.ts): a process that died on this machine is known dead at once by its pid, one
// on another machine once its row expired. `meta` needs no migration.
import { hostname } from 'node:os';
import type { SqliteDatabase } from './database.js';
import { processAlive } from './durable.js';

const PREFIX = 'process/';
const PRESENCE_TTL_MS = 30_000;
const RENEW_EVERY_MS = 10_000;

export interface ProcessPresence {
  owner: string;
  host: string;
  pid: number;
  startedAt: number;
  expiresAt: number;
}

function presenceIsLive(
  row: ProcessPresence,
  now = Date.now(),
  alive: (pid: number) => boolean = processAlive,
): boolean {
  if (row.expiresAt <= now) return false;
  if (row.host === hostname() && !alive(row.pid)) return false;
  return true;
}

/** The live processes that registered in this database (any host). */
export function liveProcesses(db: SqliteDatabase, now = Date.now()): ProcessPresence[] {
  const rows = db
    .prepare(`SELECT value FROM meta WHERE key >= ? AND key < ?`)
    .pluck()
    .all(PREFIX, `${PREFIX}\uffff`) as string[];
  const live: ProcessPresence[] = [];
  for (const value of rows) {
    try {
      const row = JSON.parse(value) as ProcessPresence;
      if (presenceIsLive(row, now)) live.push(row);
    } catch {
      // A row another version wrote: not ours to judge.
    }
  }
  return live;
}

/** Registers this process in the database until stop(); renewals never keep the process alive. */
export class PresenceRow {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly key: string;
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: SqliteDatabase,
    readonly owner: string,
  ) {
    this.key = `${PREFIX}${owner}`;
    this.write();
    this.timer = setInterval(() => this.write(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  private write(): void {
    const row: ProcessPresence = {
      owner: this.owner,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      expiresAt: Date.now() + PRESENCE_TTL_MS,
    };
    try {
      this.db
        .prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
        .run(this.key, JSON.stringify(row));
    } catch {
      // A busy or closed database delays a renewal; the row expires if none succeeds.
    }
  }

  stop(): void {
    clearInterval(this.timer);
    try {
      this.db.prepare(`DELETE FROM meta WHERE key = ?`).run(this.key);
    } catch {
      // Left to expire.
    }
  }
}
