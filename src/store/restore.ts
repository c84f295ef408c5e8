// `npm run restore -- <snapshot>`: puts a snapshot (backup.ts) back as DATA_DIR and
// MODELS_DIR, never leaving them half restored:
//   1. the snapshot is checked against its manifest (every size and sha256);
//   2. it refuses while a bot, a shard or a console has the database open (their rows in
//      presence.ts, and any live lease of coordination.ts);
//   3. the new folders are built beside the old ones (`<dir>.restore-new-<id>`, same parent, so
//      same file system), every file copied from the snapshot checked again and fsynced;
//   4. a journal beside DATA_DIR (`.<name>.restore-journal.json`) names each swap, then each
//      folder is swapped by two renames: old → `<dir>.restore-old-<id>`, new → `<dir>`;
//   5. the journal is removed, then the old folders.
// A crash before the journal leaves the old folders as they were (the new ones are leftovers,
// removed later). A crash after it is finished by the next restore or the next start of the bot
// or console (ModelManager.open calls completePendingRestore first), which redoes what is left of
// step 4 from the journal: so the folders are always either the old ones or the restored ones.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import Database from 'better-sqlite3';
import { crashPoint } from './crash-point.js';
import { processAlive, syncDirectory, syncFile } from './durable.js';
import { SNAPSHOT_DATABASE, SnapshotError, snapshotPath, verifySnapshot, type SnapshotManifest } from './backup.js';
import { liveProcesses } from './presence.js';
import { Coordination } from './coordination.js';
import { ORPHANS_DIR as ORPHANS } from './names.js';

export interface RestoreTarget {
  dataDir: string;
  modelsDir: string;
  /** The database's file name in dataDir. */
  databaseFilename: string;
}

interface Swap {
  target: string;
  staged: string;
  old: string;
}

interface Journal {
  restore: string;
  snapshot: string;
  swaps: Swap[];
}

const SQLITE_FILES = (name: string) => [name, `${name}-wal`, `${name}-shm`, `${name}-journal`];

function journalPath(dataDir: string): string {
  const dir = resolve(dataDir);
  return join(dirname(dir), `.${basename(dir)}.restore-journal.json`);
}

/** `.<data>.restore-lock`: the pid of a restore at work on these folders. */
function lockPath(dataDir: string): string {
  const dir = resolve(dataDir);
  return join(dirname(dir), `.${basename(dir)}.restore-lock`);
}

/** The pid of another live restore on these folders, or null (a lock of a dead process is stale). */
async function runningRestore(dataDir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(lockPath(dataDir), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

async function isOwnLock(dataDir: string): Promise<boolean> {
  try {
    return Number((await readFile(lockPath(dataDir), 'utf8')).trim()) === process.pid;
  } catch {
    return false;
  }
}

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finishes a restore a crash interrupted after its journal was written (see the top of this
 * file), and removes what restores left behind. Returns whether a restore was finished.
 */
export async function completePendingRestore(dataDir: string, modelsDir: string): Promise<boolean> {
  // A restore at work owns the journal and its folders: a bot started meanwhile must wait.
  const other = await runningRestore(dataDir);
  if (other !== null)
    throw new SnapshotError(`a restore (pid ${other}) is running on ${resolve(dataDir)}; start after it has finished`);
  // The lock of a restore that was killed is left behind by it: ours only if we hold it.
  if (!(await isOwnLock(dataDir))) await rm(lockPath(dataDir), { force: true });
  const journalFile = journalPath(dataDir);
  let journal: Journal | null = null;
  try {
    journal = JSON.parse(await readFile(journalFile, 'utf8')) as Journal;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SnapshotError(
        `the restore journal ${journalFile} is unreadable; fix or remove it by hand (${(error as Error).message})`,
      );
    }
  }
  if (journal) {
    for (const swap of journal.swaps) {
      if (await exists(swap.staged)) {
        if ((await exists(swap.target)) && !(await exists(swap.old))) await rename(swap.target, swap.old);
        await rename(swap.staged, swap.target);
        await syncDirectory(dirname(swap.target));
      }
    }
    crashPoint('restore:before-journal-removed');
    await rm(journalFile, { force: true });
    await syncDirectory(dirname(journalFile));
  }
  await removeLeftovers([dataDir, modelsDir]);
  return journal !== null;
}

/** `<dir>.restore-new-*` and `<dir>.restore-old-*` when no journal needs them. */
async function removeLeftovers(dirs: string[]): Promise<void> {
  for (const dir of new Set(dirs.map((entry) => resolve(entry)))) {
    const parent = dirname(dir);
    const prefix = `${basename(dir)}.restore-`;
    let entries: string[];
    try {
      entries = await readdir(parent);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.startsWith(`${prefix}new-`) || entry.startsWith(`${prefix}old-`))
        await rm(join(parent, entry), { recursive: true, force: true });
    }
  }
}

/** Throws when a process has the database open or holds a lease on it. */
function assertNoProcessRunning(databasePath: string): void {
  let db: Database.Database;
  try {
    db = new Database(databasePath, { readonly: true, fileMustExist: true, timeout: 5_000 });
  } catch {
    return; // No database there: nothing can be running on it.
  }
  try {
    const running = liveProcesses(db);
    const coordination = new Coordination(db, 'restore');
    const leases = (
      db
        .prepare(`SELECT guild_id AS guildId, kind, owner, job_id AS jobId, expires_at AS expiresAt FROM leases`)
        .all() as {
        guildId: string;
        kind: 'training' | 'section';
        owner: string;
        jobId: string | null;
        expiresAt: number;
      }[]
    ).filter((lease) => coordination.isLive(lease));
    if (running.length > 0 || leases.length > 0) {
      const who = [
        ...running.map((row) => `${row.host} pid ${row.pid}`),
        ...leases.map((lease) => lease.owner.split('/').slice(0, 2).join(' pid ')),
      ];
      throw new SnapshotError(
        `refusing to restore: ${[...new Set(who)].join(', ')} ${who.length === 1 ? 'is' : 'are'} running on ${databasePath}. Stop the bot and every console first.`,
      );
    }
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    // A database of an older schema (no meta or leases rows to read) has no one to refuse for.
  } finally {
    db.close();
  }
}

export async function restoreSnapshot(snapshotDir: string, target: RestoreTarget): Promise<SnapshotManifest> {
  const dataDir = resolve(target.dataDir);
  const modelsDir = resolve(target.modelsDir);
  if (inside(dataDir, modelsDir)) throw new SnapshotError('DATA_DIR inside MODELS_DIR is not supported by restore');
  const other = await runningRestore(dataDir);
  if (other !== null) throw new SnapshotError(`another restore (pid ${other}) is running on ${dataDir}`);
  const lock = lockPath(dataDir);
  await mkdir(dirname(lock), { recursive: true });
  await writeFile(lock, `${process.pid}\n`);
  try {
    return await restoreLocked(snapshotDir, dataDir, modelsDir, target);
  } finally {
    await rm(lock, { force: true });
  }
}

async function restoreLocked(
  snapshotDir: string,
  dataDir: string,
  modelsDir: string,
  target: RestoreTarget,
): Promise<SnapshotManifest> {
  await completePendingRestore(dataDir, modelsDir);
  const manifest = await verifySnapshot(snapshotDir);
  assertNoProcessRunning(join(dataDir, target.databaseFilename));

  const id = randomBytes(6).toString('hex');
  const modelsInData = inside(modelsDir, dataDir);
  const swaps: Swap[] = [
    { target: dataDir, staged: `${dataDir}.restore-new-${id}`, old: `${dataDir}.restore-old-${id}` },
  ];
  if (!modelsInData)
    swaps.push({ target: modelsDir, staged: `${modelsDir}.restore-new-${id}`, old: `${modelsDir}.restore-old-${id}` });
  const stagedModels = modelsInData ? join(swaps[0].staged, relative(dataDir, modelsDir)) : swaps[1].staged;

  try {
    // The data folder: the snapshot's database, and the other files the folder held (the
    // console's history and log), which are no part of a snapshot.
    await mkdir(swaps[0].staged, { recursive: true });
    await carryOver(
      dataDir,
      swaps[0].staged,
      new Set([
        ...SQLITE_FILES(target.databaseFilename),
        ...(modelsInData ? [relative(dataDir, modelsDir).split(sep)[0]] : []),
      ]),
    );
    await copyChecked(
      join(snapshotDir, SNAPSHOT_DATABASE),
      join(swaps[0].staged, target.databaseFilename),
      manifest.database.sha256,
    );
    await mkdir(stagedModels, { recursive: true });
    const guilds = new Set<string>();
    for (const file of manifest.files) {
      const [, guildId, filename] = file.path.split('/');
      if (!guilds.has(guildId)) {
        await mkdir(join(stagedModels, guildId), { recursive: true });
        guilds.add(guildId);
      }
      await copyChecked(snapshotPath(snapshotDir, file.path), join(stagedModels, guildId, filename), file.sha256);
    }
    // Model files of the current folder that the snapshot does not have (saved after it) are
    // kept, in the restored folder's .orphans/: a restore never deletes a model file, and
    // `npm run recover` registers them.
    const kept = await keepNewerModelFiles(modelsDir, stagedModels, new Set(manifest.files.map((file) => file.path)));
    for (const guildId of new Set([...guilds, ...kept])) await syncDirectory(join(stagedModels, guildId));
    await syncDirectory(stagedModels);
    for (const swap of swaps) {
      await syncDirectory(swap.staged);
      await syncDirectory(dirname(swap.staged));
    }
  } catch (error) {
    for (const swap of swaps) await rm(swap.staged, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  crashPoint('restore:after-stage');

  const journalFile = journalPath(dataDir);
  const journal: Journal = { restore: id, snapshot: resolve(snapshotDir), swaps };
  await writeFile(journalFile, `${JSON.stringify(journal, null, 2)}\n`);
  await syncFile(journalFile);
  await syncDirectory(dirname(journalFile));
  crashPoint('restore:after-journal');

  for (const [index, swap] of swaps.entries()) {
    if (await exists(swap.target)) await rename(swap.target, swap.old);
    crashPoint(`restore:after-move-old-${index}`);
    await rename(swap.staged, swap.target);
    await syncDirectory(dirname(swap.target));
    crashPoint(`restore:after-swap-${index}`);
  }
  await completePendingRestore(dataDir, modelsDir);
  return manifest;
}

/**
 * Links (or copies) the current model files the snapshot lacks into `<staged>/<guild>/.orphans/`; returns the guilds
 * touched.
 */
async function keepNewerModelFiles(
  modelsDir: string,
  stagedModels: string,
  inSnapshot: Set<string>,
): Promise<string[]> {
  let guildDirs;
  try {
    guildDirs = await readdir(modelsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const touched: string[] = [];
  for (const guildDir of guildDirs) {
    if (!guildDir.isDirectory() || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(guildDir.name)) continue;
    const guildId = guildDir.name;
    const sources: { path: string; name: string }[] = [];
    for (const [dir, fromOrphans] of [
      [join(modelsDir, guildId), false],
      [join(modelsDir, guildId, ORPHANS), true],
    ] as const) {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (!entry.isFile() || entry.name.startsWith('.') || !/\.ulm(\.\d+)?$/.test(entry.name)) continue;
        if (!fromOrphans && inSnapshot.has(`models/${guildId}/${entry.name}`)) continue;
        sources.push({ path: join(dir, entry.name), name: entry.name });
      }
    }
    if (sources.length === 0) continue;
    const orphans = join(stagedModels, guildId, ORPHANS);
    await mkdir(orphans, { recursive: true });
    for (const source of sources) {
      for (let attempt = 1; ; attempt++) {
        const target = join(orphans, attempt === 1 ? source.name : `${source.name}.${attempt}`);
        if (await exists(target)) continue;
        try {
          await link(source.path, target);
        } catch {
          await copyFile(source.path, target);
          await syncFile(target);
        }
        break;
      }
    }
    await syncDirectory(orphans);
    touched.push(guildId);
  }
  return touched;
}

/** Regular files of `from` (not in `skip`) copied into `to`: what a data folder holds besides the database. */
async function carryOver(from: string, to: string, skip: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.isFile() || skip.has(entry.name)) continue;
    await copyFile(join(from, entry.name), join(to, entry.name));
    await syncFile(join(to, entry.name));
  }
}

/** Copies a file while hashing it; a copy that does not match the manifest fails the restore. */
async function copyChecked(source: string, target: string, sha256: string): Promise<void> {
  const hash = createHash('sha256');
  await pipeline(
    createReadStream(source),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(target, { flags: 'wx' }),
  );
  if (hash.digest('hex') !== sha256)
    throw new SnapshotError(`the snapshot changed while it was restored: ${source} no longer matches its manifest`);
  await syncFile(target);
}
