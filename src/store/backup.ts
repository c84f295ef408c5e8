// Snapshots of the data folders: `npm run backup`, and the bot every
// BACKUP_INTERVAL_HOURS. A snapshot is BACKUP_DIR/<YYYYMMDDTHHMMSSZ>/ holding
//   ultraefficient.sqlite      the database, copied with SQLite's online backup API
//                              (better-sqlite3's db.backup(): consistent while the bot writes)
//   models/<guild>/<file>      every model file that copy of the database names (saved and drafts)
//   manifest.json              size and sha256 of each of those files, written last
// It is built in BACKUP_DIR/.partial-<pid>-<random>/, every file and folder fsynced, and renamed
// to its final name only when complete: a folder with a snapshot's name always holds a whole
// snapshot, whatever moment a crash or a kill stopped the backup. Model files are written once
// and never changed, so copying them after the database is consistent; one deleted between the
// database copy and its own copy (a /delete at that moment) is dropped from the snapshot's
// database too, and listed in the manifest.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { crashPoint } from './crash-point.js';
import { processAlive, syncDirectory, syncFile } from './durable.js';
import { DATABASE_FILENAME } from './data-paths.js';
import { SCHEMA_VERSION } from './database.js';
import { validateGuildId } from './names.js';

export const MANIFEST = 'manifest.json';
/** The database's name inside a snapshot: the data folder's own. */
export const SNAPSHOT_DATABASE = DATABASE_FILENAME;
const MANIFEST_FORMAT = 'ultraefficient-snapshot';
const SNAPSHOT_NAME = /^\d{8}T\d{6}Z(?:-\d+)?$/;
const PARTIAL_PREFIX = '.partial-';
const DELETING_PREFIX = '.deleting-';

interface ManifestFile {
  /** Relative to the snapshot folder, `/`-separated. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface SnapshotManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: 1;
  name: string;
  createdAt: string;
  schemaVersion: number;
  database: ManifestFile;
  files: ManifestFile[];
  /** Rows whose file was deleted while the backup ran: left out of the snapshot's database. */
  dropped: { guildId: string; filename: string }[];
  source: { host: string; pid: number };
}

export interface Snapshot {
  name: string;
  path: string;
}

export interface BackupOptions {
  databasePath: string;
  modelsDir: string;
  backupDir: string;
  now?: () => number;
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** `20261207T093000Z`. */
function snapshotStamp(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export async function takeSnapshot(
  options: BackupOptions,
): Promise<{ snapshot: Snapshot; manifest: SnapshotManifest }> {
  const now = options.now ?? Date.now;
  await mkdir(options.backupDir, { recursive: true });
  await removeLeftovers(options.backupDir);
  const partial = join(options.backupDir, `${PARTIAL_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(partial);
  try {
    const createdAt = now();
    const databaseCopy = join(partial, SNAPSHOT_DATABASE);
    await copyDatabase(options.databasePath, databaseCopy);
    crashPoint('backup:after-database');

    const snapshotDb = new Database(databaseCopy);
    // One self-contained file (the copy carries the source's WAL mode in its header).
    snapshotDb.pragma('journal_mode = DELETE');
    let files: ManifestFile[];
    const dropped: { guildId: string; filename: string }[] = [];
    try {
      const referenced = referencedFiles(snapshotDb);
      files = [];
      const guildDirs = new Set<string>();
      for (const file of referenced) {
        const source = join(options.modelsDir, file.guildId, file.filename);
        const relative = `models/${file.guildId}/${file.filename}`;
        const target = join(partial, 'models', file.guildId, file.filename);
        if (!guildDirs.has(file.guildId)) {
          await mkdir(join(partial, 'models', file.guildId), { recursive: true });
          guildDirs.add(file.guildId);
        }
        try {
          await copyFile(source, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          // Deleted after the database was copied: the snapshot is the state just after that delete.
          dropFromSnapshot(snapshotDb, file);
          dropped.push({ guildId: file.guildId, filename: file.filename });
          continue;
        }
        await syncFile(target);
        files.push({ path: relative, ...(await hashFile(target)) });
      }
      // A restored database starts with no other process's claims or registrations.
      snapshotDb.exec(`DELETE FROM leases; DELETE FROM meta WHERE key >= 'process/' AND key < 'process/\uffff';`);
      for (const guildId of guildDirs) await syncDirectory(join(partial, 'models', guildId));
      if (guildDirs.size > 0) await syncDirectory(join(partial, 'models'));
    } finally {
      snapshotDb.close();
    }
    await syncFile(databaseCopy);
    crashPoint('backup:after-files');

    const name = await freeName(options.backupDir, snapshotStamp(createdAt));
    const manifest: SnapshotManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: 1,
      name,
      createdAt: new Date(createdAt).toISOString(),
      schemaVersion: SCHEMA_VERSION,
      database: { path: SNAPSHOT_DATABASE, ...(await hashFile(databaseCopy)) },
      files,
      dropped,
      source: { host: hostname(), pid: process.pid },
    };
    const manifestPath = manifestPathOf(partial);
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    await syncFile(manifestPath);
    await syncDirectory(partial);
    crashPoint('backup:after-manifest');

    const path = join(options.backupDir, name);
    await rename(partial, path);
    await syncDirectory(options.backupDir);
    crashPoint('backup:after-rename');
    return { snapshot: { name, path }, manifest };
  } catch (error) {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Complete snapshots, oldest first. A folder without its manifest is no snapshot. */
export async function listSnapshots(backupDir: string): Promise<Snapshot[]> {
  let entries;
  try {
    entries = await readdir(backupDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const snapshots: Snapshot[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !SNAPSHOT_NAME.test(entry.name)) continue;
    const path = join(backupDir, entry.name);
    try {
      await stat(manifestPathOf(path));
      snapshots.push({ name: entry.name, path });
    } catch {
      // Not complete.
    }
  }
  return snapshots.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Removes the oldest complete snapshots beyond `keep`. Each is renamed out of the snapshot names
 * first, so a removal a crash interrupts never leaves a partial folder that looks complete.
 */
export async function pruneSnapshots(backupDir: string, keep: number): Promise<string[]> {
  const snapshots = await listSnapshots(backupDir);
  const removed: string[] = [];
  for (const snapshot of snapshots.slice(0, Math.max(0, snapshots.length - Math.max(1, keep)))) {
    const doomed = join(backupDir, `${DELETING_PREFIX}${snapshot.name}-${randomBytes(4).toString('hex')}`);
    await rename(snapshot.path, doomed);
    await syncDirectory(backupDir);
    await rm(doomed, { recursive: true, force: true });
    removed.push(snapshot.name);
  }
  return removed;
}

/** Reads a snapshot's manifest and checks every file against it; throws SnapshotError otherwise. */
export async function verifySnapshot(path: string): Promise<SnapshotManifest> {
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPathOf(path), 'utf8')) as SnapshotManifest;
  } catch (error) {
    throw new SnapshotError(
      `${path} is not a complete snapshot: ${MANIFEST} is missing or unreadable (${(error as Error).message})`,
    );
  }
  if (
    manifest?.format !== MANIFEST_FORMAT ||
    manifest.formatVersion !== 1 ||
    !manifest.database ||
    !Array.isArray(manifest.files)
  ) {
    throw new SnapshotError(`${path}/${MANIFEST} is not a snapshot manifest of this bot`);
  }
  if (manifest.schemaVersion > SCHEMA_VERSION) {
    throw new SnapshotError(
      `the snapshot's database schema (${manifest.schemaVersion}) is newer than this bot's (${SCHEMA_VERSION}); update the bot first`,
    );
  }
  for (const file of [manifest.database, ...manifest.files]) {
    const local = snapshotPath(path, file.path);
    let actual;
    try {
      actual = await hashFile(local);
    } catch {
      throw new SnapshotError(`the snapshot is damaged: ${file.path} is missing`);
    }
    if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256) {
      throw new SnapshotError(`the snapshot is damaged: ${file.path} does not match its checksum in ${MANIFEST}`);
    }
  }
  return manifest;
}

/** A manifest path inside the snapshot (never outside it: each part is checked). */
/** Where a snapshot's manifest is, in the snapshot's folder. */
export function manifestPathOf(snapshotDir: string): string {
  return join(snapshotDir, MANIFEST);
}

/** The folder an off-site snapshot is downloaded into before it is checked and restored. */
export function downloadFolderOf(backupDir: string, name: string): string {
  return join(backupDir, `.download-${name}-${process.pid}`);
}

/** What `npm run restore -- <wanted>` names: a snapshot of BACKUP_DIR by name, else a folder. */
export function snapshotFolderOf(backupDir: string, wanted: string): string {
  return existsSync(join(backupDir, wanted)) && !wanted.includes('/') ? join(backupDir, wanted) : resolve(wanted);
}

export function snapshotPath(root: string, relative: string): string {
  const parts = relative.split('/');
  if (relative === SNAPSHOT_DATABASE) return join(root, relative);
  if (parts.length !== 3 || parts[0] !== 'models' || !/^[^/\\\0]+$/.test(parts[2]) || parts[2].startsWith('..')) {
    throw new SnapshotError(`the manifest names a file outside the snapshot: ${JSON.stringify(relative)}`);
  }
  validateGuildId(parts[1]);
  return join(root, ...parts);
}

interface ReferencedFile {
  guildId: string;
  filename: string;
  kind: 'model' | 'draft';
}

function referencedFiles(db: Database.Database): ReferencedFile[] {
  const models = db
    .prepare(`SELECT guild_id AS guildId, filename FROM models ORDER BY guild_id, filename`)
    .all() as ReferencedFile[];
  const drafts = db
    .prepare(
      `SELECT guild_id AS guildId, draft_filename AS filename FROM guild_state WHERE draft_filename IS NOT NULL ORDER BY guild_id`,
    )
    .all() as ReferencedFile[];
  return [
    ...models.map((row) => ({ ...row, kind: 'model' as const })),
    ...drafts.map((row) => ({ ...row, kind: 'draft' as const })),
  ];
}

function dropFromSnapshot(db: Database.Database, file: ReferencedFile): void {
  db.transaction(() => {
    if (file.kind === 'draft') {
      db.prepare(
        `UPDATE guild_state SET draft_filename = NULL, draft_bytes = NULL, draft_checksum = NULL, draft_created_at = NULL,
           draft_created_by_id = NULL, draft_created_by_name = NULL, draft_stats_json = NULL WHERE guild_id = ? AND draft_filename = ?`,
      ).run(file.guildId, file.filename);
      return;
    }
    db.prepare(
      `UPDATE guild_state SET active_model_id = NULL
       WHERE guild_id = ? AND active_model_id IN (SELECT id FROM models WHERE guild_id = ? AND filename = ?)`,
    ).run(file.guildId, file.guildId, file.filename);
    db.prepare(`DELETE FROM models WHERE guild_id = ? AND filename = ?`).run(file.guildId, file.filename);
  })();
}

async function copyDatabase(source: string, target: string): Promise<void> {
  try {
    await stat(source);
  } catch {
    throw new SnapshotError(`there is no database at ${source} to back up`);
  }
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
}

async function freeName(backupDir: string, stamp: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const name = attempt === 1 ? stamp : `${stamp}-${attempt}`;
    try {
      await stat(join(backupDir, name));
    } catch {
      return name;
    }
  }
}

/** Partial snapshots of processes that are gone, and interrupted removals. */
async function removeLeftovers(backupDir: string): Promise<void> {
  for (const entry of await readdir(backupDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name.startsWith(DELETING_PREFIX)) {
      await rm(join(backupDir, entry.name), { recursive: true, force: true });
    } else if (entry.name.startsWith(PARTIAL_PREFIX)) {
      const pid = Number(entry.name.slice(PARTIAL_PREFIX.length).split('-')[0]);
      if (!Number.isInteger(pid) || !(pid === process.pid || processAlive(pid)))
        await rm(join(backupDir, entry.name), { recursive: true, force: true });
    }
  }
}

async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  await new Promise<void>((done, fail) => {
    createReadStream(path)
      .on('data', (chunk) => {
        bytes += chunk.length;
        hash.update(chunk);
      })
      .on('end', done)
      .on('error', fail);
  });
  return { bytes, sha256: hash.digest('hex') };
}
