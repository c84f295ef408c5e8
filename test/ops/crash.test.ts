// Issue 17's crash rules, with real processes killed by SIGKILL at named points of the sequence
// (src/store/crash-point.ts): a snapshot killed while it is taken is never listed as complete,
// and a restore killed anywhere leaves the data folders either as they were or, once the next
// start (or restore) has finished it from its journal, wholly restored — never half.
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completePendingRestore, listSnapshots, takeSnapshot, verifySnapshot } from '../../src/store/index.js';
import { loadEverything, makeOpsDirs, runOps, saveModels, type OpsDirs } from './helpers.js';

let dirs: OpsDirs;

beforeEach(() => {
  dirs = makeOpsDirs('ultra-crash-ops-');
});

afterEach(() => {
  dirs.cleanup();
});

describe('a backup killed while it runs', () => {
  it.each([
    ['backup:after-database', 0],
    ['backup:after-files', 0],
    ['backup:after-manifest', 0],
    ['backup:after-rename', 1],
  ])(
    'at %s lists %i complete snapshot(s), and the next backup cleans up and succeeds',
    async (point, complete) => {
      await saveModels(dirs, ['alfa', 'beta']);
      const killed = await runOps('backup', [], dirs, { ULTRA_CRASH_AT: point });
      expect(killed.signal).toBe('SIGKILL');
      const listed = await listSnapshots(dirs.backupDir);
      expect(listed).toHaveLength(complete);
      for (const snapshot of listed) await verifySnapshot(snapshot.path);
      const next = await runOps('backup', [], dirs);
      expect(next.code).toBe(0);
      expect(next.stdout).toMatch(/snapshot .*: the database and 2 model file\(s\)/);
      // The killed one's partial folder is gone (its process is dead); only complete snapshots remain.
      const names = readdirSync(dirs.backupDir);
      expect(names.every((name) => /^\d{8}T\d{6}Z(-\d+)?$/.test(name))).toBe(true);
      expect(await listSnapshots(dirs.backupDir)).toHaveLength(complete + 1);
    },
    60_000,
  );
});

describe('a restore killed while it runs', () => {
  // Before the journal: the old folders; from the journal on: the snapshot, once finished.
  it.each([
    ['restore:after-stage', 'old'],
    ['restore:after-journal', 'restored'],
    ['restore:after-move-old-0', 'restored'],
    ['restore:after-swap-0', 'restored'],
    ['restore:after-move-old-1', 'restored'],
    ['restore:after-swap-1', 'restored'],
    ['restore:before-journal-removed', 'restored'],
  ])(
    'at %s leaves the folders %s',
    async (point, expected) => {
      await saveModels(dirs, ['alfa']);
      const { snapshot } = await takeSnapshot({
        databasePath: dirs.databasePath,
        modelsDir: dirs.modelsDir,
        backupDir: dirs.backupDir,
      });
      await saveModels(dirs, ['beta', 'gamma']);
      const killed = await runOps('restore', [snapshot.path], dirs, { ULTRA_CRASH_AT: point });
      expect(killed.signal).toBe('SIGKILL');
      // The next start (ModelManager.open) finishes a journaled restore before it reads anything.
      const state = await loadEverything(dirs);
      expect(state.integrity).toBe('ok');
      expect(state.models).toEqual(expected === 'old' ? ['alfa v1', 'beta v1', 'gamma v1'] : ['alfa v1']);
      expect(await completePendingRestore(dirs.dataDir, dirs.modelsDir)).toBe(false);
      expect(readdirSync(dirs.root).filter((name) => name.includes('restore'))).toEqual([]);
    },
    60_000,
  );
});
