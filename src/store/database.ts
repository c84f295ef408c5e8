// Opening the metadata database: pragmas and schema migrations keyed on PRAGMA user_version.
// Several processes (shards) may open the same file, so migrations run inside an IMMEDIATE
// transaction that re-reads user_version: the first process migrates, the others find it done.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** How long a writer waits for another process's transaction before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Each entry moves the schema from version i to i + 1. Never edit a released entry: add one.
 * Ordinary DDL only, so a migration is a plain list of statements run in one transaction.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    id              INTEGER PRIMARY KEY,
    guild_id        TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    name_key        TEXT    NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    filename        TEXT    NOT NULL,
    bytes           INTEGER NOT NULL CHECK (bytes >= 0),
    checksum        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    created_by_id   TEXT    NOT NULL,
    created_by_name TEXT    NOT NULL,
    params_json     TEXT    NOT NULL,
    stats_json      TEXT    NOT NULL,
    corpus_json     TEXT    NOT NULL,
    available       INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1)),
    unavailable_reason TEXT,
    UNIQUE (guild_id, name_key, version),
    UNIQUE (guild_id, filename),
    UNIQUE (id, guild_id)
  );
  CREATE INDEX models_by_guild ON models (guild_id, name_key, version);

  -- The composite foreign key makes it impossible, at the database level, for a guild's active
  -- model to be another guild's row.
  CREATE TABLE guild_state (
    guild_id              TEXT PRIMARY KEY,
    active_model_id       INTEGER,
    draft_filename        TEXT,
    draft_bytes           INTEGER,
    draft_checksum        TEXT,
    draft_created_at      INTEGER,
    draft_created_by_id   TEXT,
    draft_created_by_name TEXT,
    draft_stats_json      TEXT,
    updated_at            INTEGER NOT NULL,
    FOREIGN KEY (active_model_id, guild_id) REFERENCES models (id, guild_id),
    CHECK (active_model_id IS NULL OR draft_filename IS NULL)
  );

  CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    guild_id        TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    user_name       TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('train-new', 'train-append')),
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'writing', 'done', 'failed', 'cancelled', 'interrupted')),
    phase           TEXT,
    progress        REAL    NOT NULL DEFAULT 0,
    message         TEXT,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    error           TEXT,
    result_filename TEXT,
    result_checksum TEXT,
    result_bytes    INTEGER,
    result_stats_json TEXT,
    result_created_at INTEGER
  );
  CREATE INDEX jobs_open ON jobs (state, guild_id);

  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // Several processes on one data directory: leases claim a guild's training slot and
  // its exclusive section across processes (leases.ts); pending_deletes names the files of a
  // delete whose rows are gone, so a crash before the files are removed is finished at start.
  `
  CREATE TABLE leases (
    guild_id   TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('training', 'section')),
    owner      TEXT    NOT NULL,
    job_id     TEXT,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, kind)
  );

  CREATE TABLE pending_deletes (
    guild_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    PRIMARY KEY (guild_id, filename)
  );
  `,
  // Learning from channels (learning-store.ts): per-server settings, per-channel
  // listening and reply chance, the members who opted in, and the collected messages (id,
  // channel, author, text: what honouring an edit, a delete or a /forget needs, and no more).
  `
  CREATE TABLE learning_settings (
    guild_id     TEXT PRIMARY KEY,
    privacy_mode TEXT NOT NULL DEFAULT 'open' CHECK (privacy_mode IN ('open', 'opt-in')),
    reply_chance REAL NOT NULL DEFAULT 0 CHECK (reply_chance >= 0 AND reply_chance <= 100),
    clean_mode   TEXT NOT NULL DEFAULT 'strip' CHECK (clean_mode IN ('strip', 'replace', 'off')),
    dirty        INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1)),
    last_batch_at INTEGER
  );

  CREATE TABLE learning_channels (
    guild_id     TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    listening    INTEGER NOT NULL DEFAULT 0 CHECK (listening IN (0, 1)),
    reply_chance REAL CHECK (reply_chance IS NULL OR (reply_chance >= 0 AND reply_chance <= 100)),
    PRIMARY KEY (guild_id, channel_id)
  );

  CREATE TABLE learning_members (
    guild_id TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
  );

  CREATE TABLE collected_messages (
    guild_id   TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    author_id  TEXT    NOT NULL,
    content    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    trained    INTEGER NOT NULL DEFAULT 0 CHECK (trained IN (0, 1)),
    PRIMARY KEY (guild_id, message_id)
  );
  CREATE INDEX collected_by_age ON collected_messages (guild_id, created_at);
  CREATE INDEX collected_by_author ON collected_messages (guild_id, author_id);
  `,
  // The channel a training was started from, and when the server was told that a stopped
  // process interrupted it: the restarted bot writes there once.
  `
  ALTER TABLE jobs ADD COLUMN channel_id TEXT;
  ALTER TABLE jobs ADD COLUMN notified_at INTEGER;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a transaction that returned is on disk even if the machine loses power, which
    // save() promises; the bot writes a few rows per command, so the extra fsync is cheap.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: SqliteDatabase): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  const run = db.transaction(() => {
    const from = current();
    if (from > SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${from} is newer than this program's ${SCHEMA_VERSION}; upgrade the bot`,
      );
    }
    for (let version = from; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  run.immediate();
}
