// The operator scripts as an operator runs them (issue 17's "must show"): `npm run backup`, the
// data and models folders deleted, `npm run restore -- <snapshot>`: every model loads again and
// PRAGMA integrity_check is ok; restore refused while a console runs on the folders; the bot's
// schedule; the configuration of backups.
import { readdirSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigError, parseConfig } from '../../src/config/index.js';
import { startBackupSchedule } from '../../src/ops/backup-schedule.js';
import { listSnapshots } from '../../src/store/index.js';
import { ConsoleProcess } from '../console/console-process.js';
import { GUILD, loadEverything, makeOpsDirs, runOps, saveModels, type OpsDirs } from './helpers.js';

let dirs: OpsDirs;

beforeEach(() => {
  dirs = makeOpsDirs('ultra-scripts-');
});

afterEach(() => {
  dirs.cleanup();
});

describe('npm run backup and npm run restore', () => {
  it('bring every model back after the data and models folders were deleted', async () => {
    await saveModels(dirs, ['alfa', 'beta', 'alfa']);
    const backup = await runOps('backup', [], dirs);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(
      /^snapshot .*backups\/\d{8}T\d{6}Z: the database and 3 model file\(s\), checksums in manifest.json$/m,
    );
    const listed = await runOps('backup', ['--list'], dirs);
    const [snapshot] = await listSnapshots(dirs.backupDir);
    expect(listed.stdout.trim()).toBe(snapshot.path);

    rmSync(dirs.dataDir, { recursive: true });
    rmSync(dirs.modelsDir, { recursive: true });
    const restore = await runOps('restore', [snapshot.name], dirs);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^restored snapshot \d{8}T\d{6}Z .*: the database and 3 model file\(s\)/);
    expect(await loadEverything(dirs)).toEqual({ models: ['alfa v1', 'alfa v2', 'beta v1'], integrity: 'ok' });
  }, 60_000);

  it('restore refuses while a console runs on the folders, and says why', async () => {
    await saveModels(dirs, ['alfa']);
    expect((await runOps('backup', [], dirs)).code).toBe(0);
    const console = new ConsoleProcess({ guildId: GUILD, dataDir: dirs.dataDir, modelsDir: dirs.modelsDir });
    try {
      await console.send('/models', /alfa/);
      const refused = await runOps('restore', ['latest'], dirs);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^restore: refusing to restore: .* pid ${console.child.pid} is running on .*ultraefficient.sqlite. Stop the bot and every console first.\\n$`,
        ),
      );
    } finally {
      await console.end();
    }
    const restored = await runOps('restore', ['latest'], dirs);
    expect(restored.code).toBe(0);
  }, 60_000);

  it('restore of a folder that is no snapshot exits 1 with one line', async () => {
    const result = await runOps('restore', [dirs.root], dirs);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^restore: .* is not a complete snapshot: manifest.json is missing or unreadable/);
    expect((await runOps('restore', [], dirs)).code).toBe(2);
  }, 30_000);
});

describe('the bot’s schedule', () => {
  it('takes a snapshot every interval and keeps BACKUP_KEEP of them', async () => {
    await saveModels(dirs, ['alfa']);
    const config = parseConfig({
      DATA_DIR: dirs.dataDir,
      MODELS_DIR: dirs.modelsDir,
      BACKUP_DIR: dirs.backupDir,
      BACKUP_KEEP: '2',
    });
    const lines: string[] = [];
    const log = (_fields: object, message: string) => lines.push(message);
    // Real clock: snapshots over a second apart get distinct stamps (same-second ones get `-2`).
    const schedule = startBackupSchedule(
      config,
      { info: log, warn: log, error: log },
      { firstDelayMs: 0, intervalMs: 1_100 },
    )!;
    try {
      while (schedule.taken < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await schedule.stop();
    }
    expect(lines.filter((line) => /^backup: snapshot \d{8}T\d{6}Z(-\d+)? written$/.test(line))).toHaveLength(
      schedule.taken,
    );
    expect(await listSnapshots(dirs.backupDir)).toHaveLength(2);
    expect(readdirSync(dirs.backupDir)).toHaveLength(2);
  }, 30_000);

  it('is off with BACKUP_INTERVAL_HOURS=0', () => {
    const config = parseConfig({ BACKUP_INTERVAL_HOURS: '0' });
    expect(startBackupSchedule(config, { info() {}, warn() {}, error() {} })).toBeNull();
  });
});

describe('backup configuration', () => {
  it('has defaults, reads an S3 URL and refuses bad values', () => {
    expect(parseConfig({}, '/srv/bot').backup).toEqual({
      dir: '/srv/bot/backups',
      intervalHours: 24,
      keep: 7,
      s3: null,
    });
    expect(
      parseConfig({
        BACKUP_S3_URL: 's3://my-bucket/bots/ultra/',
        BACKUP_S3_ENDPOINT: 'http://127.0.0.1:9000/',
        BACKUP_S3_ACCESS_KEY_ID: 'id',
        BACKUP_S3_SECRET_ACCESS_KEY: 'secret',
      }).backup.s3,
    ).toEqual({
      bucket: 'my-bucket',
      prefix: 'bots/ultra',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    let error: ConfigError | null = null;
    try {
      parseConfig({
        BACKUP_INTERVAL_HOURS: '-1',
        BACKUP_KEEP: '0',
        BACKUP_S3_URL: 'https://bucket',
        BACKUP_S3_ACCESS_KEY_ID: 'id',
      });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error?.problems).toEqual([
      expect.stringMatching(/^BACKUP_INTERVAL_HOURS: must be a number of hours from 0 to 8760/),
      expect.stringMatching(/^BACKUP_KEEP: must be a whole number from 1 to 1000/),
      expect.stringMatching(/^BACKUP_S3_URL: must be s3:\/\/bucket or s3:\/\/bucket\/prefix/),
    ]);
    expect(() => parseConfig({ BACKUP_S3_ACCESS_KEY_ID: 'id' })).toThrow(/set both, or neither/);
  });
});
