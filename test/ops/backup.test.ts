// Snapshots and restore (issue 17), in process: what a snapshot holds, retention, the checks a
// restore makes before it touches anything, and the refusal while a manager runs on the folders.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverModels } from '../../src/manager/recover.js';
import {
  listSnapshots,
  pruneSnapshots,
  restoreSnapshot,
  SnapshotError,
  takeSnapshot,
  verifySnapshot,
} from '../../src/store/index.js';
import { GUILD, loadEverything, makeOpsDirs, openOpsManager, saveModels, type OpsDirs } from './helpers.js';

let dirs: OpsDirs;

beforeEach(() => {
  dirs = makeOpsDirs();
});

afterEach(() => {
  dirs.cleanup();
});

const target = () => ({ dataDir: dirs.dataDir, modelsDir: dirs.modelsDir, databaseFilename: 'ultraefficient.sqlite' });
const snapshotOptions = () => ({
  databasePath: dirs.databasePath,
  modelsDir: dirs.modelsDir,
  backupDir: dirs.backupDir,
});

describe('a snapshot', () => {
  it('holds the database and every model file it names, with their checksums, taken while a manager runs', async () => {
    await saveModels(dirs, ['alfa', 'beta', 'alfa']);
    const manager = await openOpsManager(dirs);
    let snapshot;
    try {
      snapshot = await takeSnapshot({ ...snapshotOptions(), now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    } finally {
      await manager.close();
    }
    expect(snapshot.snapshot.name).toBe('20260102T030405Z');
    const manifest = JSON.parse(readFileSync(join(snapshot.snapshot.path, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((file: { path: string }) => file.path.split('/').slice(0, 2).join('/'))).toEqual([
      `models/${GUILD}`,
      `models/${GUILD}`,
      `models/${GUILD}`,
    ]);
    expect(manifest.dropped).toEqual([]);
    expect(await verifySnapshot(snapshot.snapshot.path)).toEqual(manifest);
    expect((await listSnapshots(dirs.backupDir)).map((entry) => entry.name)).toEqual(['20260102T030405Z']);
    // No partial folder is left beside it.
    expect(readdirSync(dirs.backupDir)).toEqual(['20260102T030405Z']);
  });

  it('restores into deleted folders: every model loads and the database is intact', async () => {
    await saveModels(dirs, ['alfa', 'beta', 'alfa']);
    const before = await loadEverything(dirs);
    const { snapshot } = await takeSnapshot(snapshotOptions());
    rmSync(dirs.dataDir, { recursive: true });
    rmSync(dirs.modelsDir, { recursive: true });
    await restoreSnapshot(snapshot.path, target());
    expect(await loadEverything(dirs)).toEqual({ models: before.models, integrity: 'ok' });
    expect(before.models).toEqual(['alfa v1', 'alfa v2', 'beta v1']);
    // Nothing of the restore is left beside the folders.
    expect(readdirSync(dirs.root).sort()).toEqual(['alfa.txt', 'backups', 'beta.txt', 'data', 'models']);
  });

  it('keeps the model files saved after the snapshot in .orphans/, and recover registers them', async () => {
    await saveModels(dirs, ['alfa']);
    const { snapshot } = await takeSnapshot(snapshotOptions());
    await saveModels(dirs, ['beta', 'alfa']);
    await restoreSnapshot(snapshot.path, target());
    expect((await loadEverything(dirs)).models).toEqual(['alfa v1']);
    const manager = await openOpsManager(dirs);
    try {
      expect(await manager.orphanedModelFiles(GUILD)).toBe(2);
      const report = await recoverModels({
        dataDir: dirs.dataDir,
        modelsDir: dirs.modelsDir,
        databasePath: dirs.databasePath,
      });
      expect(report.registered.map((entry) => `${entry.name} v${entry.version}`).sort()).toEqual([
        'alfa v2',
        'beta v1',
      ]);
    } finally {
      await manager.close();
    }
    expect(await loadEverything(dirs)).toEqual({ models: ['alfa v1', 'alfa v2', 'beta v1'], integrity: 'ok' });
  });

  it('leaves out a model whose file is gone when it is copied, so every row of the snapshot has its file', async () => {
    await saveModels(dirs, ['alfa', 'beta']);
    const gone = readdirSync(join(dirs.modelsDir, GUILD)).find((name) => name.startsWith('beta_'))!;
    rmSync(join(dirs.modelsDir, GUILD, gone));
    const { manifest, snapshot } = await takeSnapshot(snapshotOptions());
    expect(manifest.dropped).toEqual([{ guildId: GUILD, filename: gone }]);
    await restoreSnapshot(snapshot.path, target());
    expect(await loadEverything(dirs)).toEqual({ models: ['alfa v1'], integrity: 'ok' });
  });

  it('keeps the newest BACKUP_KEEP snapshots', async () => {
    await saveModels(dirs, ['alfa']);
    for (const second of [1, 2, 3])
      await takeSnapshot({ ...snapshotOptions(), now: () => Date.UTC(2026, 0, 1, 0, 0, second) });
    expect(await pruneSnapshots(dirs.backupDir, 2)).toEqual(['20260101T000001Z']);
    expect((await listSnapshots(dirs.backupDir)).map((entry) => entry.name)).toEqual([
      '20260101T000002Z',
      '20260101T000003Z',
    ]);
  });
});

describe('restore refuses', () => {
  it('a damaged snapshot, before touching the folders', async () => {
    await saveModels(dirs, ['alfa']);
    const { snapshot, manifest } = await takeSnapshot(snapshotOptions());
    const file = join(snapshot.path, manifest.files[0].path);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    await saveModels(dirs, ['beta']);
    await expect(restoreSnapshot(snapshot.path, target())).rejects.toThrow(
      /damaged: models\/.* does not match its checksum/,
    );
    expect((await loadEverything(dirs)).models).toEqual(['alfa v1', 'beta v1']);
  });

  it('while another restore runs on the folders, and so does a manager opening them; a dead restore’s lock is cleared', async () => {
    await saveModels(dirs, ['alfa']);
    const { snapshot } = await takeSnapshot(snapshotOptions());
    const lock = join(dirs.root, '.data.restore-lock');
    // This test's parent process stands for a restore at work.
    writeFileSync(lock, `${process.ppid}\n`);
    await expect(restoreSnapshot(snapshot.path, target())).rejects.toThrow(
      `another restore (pid ${process.ppid}) is running`,
    );
    await expect(openOpsManager(dirs)).rejects.toThrow(
      `a restore (pid ${process.ppid}) is running on ${dirs.dataDir}; start after it has finished`,
    );
    writeFileSync(lock, '2147483646\n');
    await (await openOpsManager(dirs)).close();
    expect(existsSync(lock)).toBe(false);
  });

  it('a folder that is no snapshot', async () => {
    await expect(restoreSnapshot(dirs.root, target())).rejects.toBeInstanceOf(SnapshotError);
  });

  it('while a manager has the database open, and restores once it closed', async () => {
    await saveModels(dirs, ['alfa']);
    const { snapshot } = await takeSnapshot(snapshotOptions());
    await saveModels(dirs, ['beta']);
    const manager = await openOpsManager(dirs);
    try {
      await expect(restoreSnapshot(snapshot.path, target())).rejects.toThrow(
        new RegExp(`refusing to restore: .* pid ${process.pid} is running`),
      );
      expect(manager.list(GUILD).map((entry) => entry.name)).toEqual(['alfa', 'beta']);
    } finally {
      await manager.close();
    }
    await restoreSnapshot(snapshot.path, target());
    expect((await loadEverything(dirs)).models).toEqual(['alfa v1']);
    expect(existsSync(join(dirs.root, '.data.restore-journal.json'))).toBe(false);
  });
});
