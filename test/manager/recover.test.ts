// Recovery from a lost database (issue 17): writes refused once the database file is removed or
// replaced under a running manager, the start-up reconcile reported, and `npm run recover`'s core
// registering every saved model again from its file.
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelManager } from '../../src/manager/index.js';
import { parseSavedFilename, recoverModels, RECOVERED_BY } from '../../src/manager/recover.js';
import type { ManagerLogger } from '../../src/manager/types.js';
import {
  ana,
  CORPORA,
  corpusSource,
  makeDirs,
  openManager,
  rawDatabase,
  rejection,
  TINY,
  WORDS,
  type TestDirs,
} from './helpers.js';

const GUILD = '310000000000000001';
const OTHER = '310000000000000002';
let dirs: TestDirs;
let opened: ModelManager[] = [];

function recordingLogger() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const logger: ManagerLogger = {
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
  return { logger, lines };
}

async function open(logger?: ManagerLogger): Promise<ModelManager> {
  const manager = await openManager(dirs, logger ? { logger } : {});
  opened.push(manager);
  return manager;
}

async function trainAndSave(manager: ModelManager, guildId: string, name: string, lines: readonly string[]) {
  await manager.train(guildId, ana, [corpusSource(dirs, `${name}.txt`, lines)], TINY, 'new');
  return manager.save(guildId, ana, name);
}

function removeDatabase(): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dirs.databasePath}${suffix}`, { force: true });
}

beforeEach(() => {
  dirs = makeDirs('ultra-recover-');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((manager) => manager.close()));
  dirs.cleanup();
});

describe('a database file removed or replaced under a running manager', () => {
  it('refuses the next save, load, delete, import and training with DATABASE_LOST and logs one operator error', async () => {
    const { logger, lines } = recordingLogger();
    const manager = await open(logger);
    await trainAndSave(manager, GUILD, 'alfa', CORPORA.es);
    await manager.train(GUILD, ana, [corpusSource(dirs, 'b.txt', CORPORA.en)], TINY, 'new');
    removeDatabase();

    const saving = await rejection(manager.save(GUILD, ana, 'beta'));
    expect(saving.code).toBe('DATABASE_LOST');
    expect(saving.params).toEqual({ state: 'missing' });
    expect((await rejection(manager.load(GUILD, 'alfa'))).code).toBe('DATABASE_LOST');
    expect((await rejection(manager.delete(GUILD, 'alfa'))).code).toBe('DATABASE_LOST');
    expect(
      (await rejection(manager.train(GUILD, ana, [corpusSource(dirs, 'c.txt', CORPORA.de)], TINY, 'new'))).code,
    ).toBe('DATABASE_LOST');
    // An export only reads; the import of that file is refused.
    const exported = join(dirs.root, 'alfa_v1.ulm');
    const file = (await manager.exportModel(GUILD, 'alfa')).bytes;
    writeFileSync(exported, file);
    expect(
      (
        await rejection(
          manager.importModel(GUILD, ana, { name: 'alfa_v1.ulm', size: file.byteLength, path: exported }, 'gamma'),
        )
      ).code,
    ).toBe('DATABASE_LOST');
    expect(manager.status(GUILD).databaseLost).toBe('missing');
    // Reading still works: the model in memory generates.
    expect((await manager.generate(GUILD, { seed: 1 })).text.length).toBeGreaterThan(0);
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/database file was removed.*npm run recover/);
    expect(errors[0].fields).toMatchObject({ state: 'missing', database: dirs.databasePath });
    // Nothing was written into the models folder after the loss: only alfa's file and the draft.
    expect(
      readdirSync(join(dirs.modelsDir, GUILD))
        .filter((name) => !name.startsWith('.'))
        .map((name) => name.replace(/_.*/, '')),
    ).toEqual(['alfa']);
  });

  it('says replaced when another file took the database path', async () => {
    const manager = await open();
    await trainAndSave(manager, GUILD, 'alfa', CORPORA.es);
    const other = await openManager({ ...dirs, dataDir: join(dirs.root, 'other') } as TestDirs);
    await other.close();
    renameSync(join(dirs.root, 'other', 'ultraefficient.sqlite'), dirs.databasePath);
    const error = await rejection(manager.load(GUILD, 'alfa'));
    expect(error.code).toBe('DATABASE_LOST');
    expect(error.params).toEqual({ state: 'replaced' });
  });
});

describe('restart after a lost database, then recover', () => {
  it('reports the files moved aside, and recover lists and loads every saved model again', async () => {
    const first = await open();
    const alfa1 = await trainAndSave(first, GUILD, 'alfa', CORPORA.es);
    const alfa2 = await trainAndSave(first, GUILD, 'alfa', CORPORA.en);
    const beta = await trainAndSave(first, GUILD, 'Beta_2', CORPORA.de);
    const other = await trainAndSave(first, OTHER, 'ñandú', CORPORA.en);
    await first.close();
    opened = opened.filter((manager) => manager !== first);
    removeDatabase();

    const { logger, lines } = recordingLogger();
    const second = await open(logger);
    expect(second.reconcileReport.orphansMoved).toHaveLength(4);
    const warning = lines.find((line) => line.level === 'warn');
    expect(warning?.message).toMatch(
      /4 file\(s\) without a database record moved to <guild>\/\.orphans\/.*npm run recover/,
    );
    expect(warning?.fields).toMatchObject({ orphansMoved: 4, orphansByGuild: { [GUILD]: 3, [OTHER]: 1 } });
    expect(second.list(GUILD)).toEqual([]);
    expect(await second.orphanedModelFiles(GUILD)).toBe(3);
    expect(await second.orphanedModelFiles(OTHER)).toBe(1);

    // Recover while the manager runs (it takes each guild's lease).
    const report = await recoverModels({
      dataDir: dirs.dataDir,
      modelsDir: dirs.modelsDir,
      databasePath: dirs.databasePath,
    });
    expect(report.skipped).toEqual([]);
    expect(
      report.registered.map(({ guildId, name, version, filename, from }) => ({
        guildId,
        name,
        version,
        filename,
        from,
      })),
    ).toEqual([
      { guildId: GUILD, name: 'alfa', version: 1, filename: alfa1.filename, from: 'orphans' },
      { guildId: GUILD, name: 'alfa', version: 2, filename: alfa2.filename, from: 'orphans' },
      { guildId: GUILD, name: 'Beta_2', version: 1, filename: beta.filename, from: 'orphans' },
      { guildId: OTHER, name: 'ñandú', version: 1, filename: other.filename, from: 'orphans' },
    ]);
    expect(await second.orphanedModelFiles(GUILD)).toBe(0);
    const listed = second.list(GUILD);
    expect(listed.map((entry) => [entry.name, entry.versions.map((version) => version.version)])).toEqual([
      ['alfa', [2, 1]],
      ['Beta_2', [1]],
    ]);
    const recovered = listed[0].versions[1];
    // The statistics of the file as decoded (as /import records them): memory is the loaded model's.
    expect(recovered.stats).toEqual({ ...alfa1.stats, memoryBytes: recovered.stats.memoryBytes });
    expect(recovered.bytes).toBe(alfa1.bytes);
    expect(recovered.createdBy).toEqual(RECOVERED_BY);
    expect(recovered.createdAt).toBe(Math.floor(alfa1.createdAt / 1000) * 1000);

    await second.load(GUILD, 'alfa', 1);
    expect(WORDS.es.has((await second.generate(GUILD, { seed: 3, maxLength: 5 })).text.split(' ')[0])).toBe(true);
    await second.load(GUILD, 'beta_2');
    await second.load(OTHER, 'ñandú');
    expect(second.list(OTHER)[0].versions[0].active).toBe(true);

    // A second run finds nothing more to do, and the restarted manager moves nothing aside.
    const again = await recoverModels({
      dataDir: dirs.dataDir,
      modelsDir: dirs.modelsDir,
      databasePath: dirs.databasePath,
    });
    expect(again.registered).toEqual([]);
    await second.close();
    opened = opened.filter((manager) => manager !== second);
    const third = await open();
    expect(third.reconcileReport.orphansMoved).toEqual([]);
    expect(third.list(GUILD).map((entry) => entry.name)).toEqual(['alfa', 'Beta_2']);
  });

  it('numbers recovered versions after those the database still has, and leaves damaged and duplicate files where they are', async () => {
    const manager = await open();
    const kept = await trainAndSave(manager, GUILD, 'alfa', CORPORA.es);
    const guildDir = join(dirs.modelsDir, GUILD);
    const bytes = await manager.exportModel(GUILD, 'alfa');
    // A copy of the registered file under a later stamp, an unrelated older save, and junk.
    writeFileSync(join(guildDir, 'alfa_20300101_000000.ulm'), bytes.bytes);
    writeFileSync(join(guildDir, 'broken_20300101_000001.ulm'), Buffer.from('not a model'));
    await manager.train(GUILD, ana, [corpusSource(dirs, 'n.txt', CORPORA.en)], TINY, 'new');
    const newer = await manager.save(GUILD, ana, 'neu');
    const neuBytes = (await manager.exportModel(GUILD, 'neu')).bytes;
    await manager.delete(GUILD, 'neu');
    writeFileSync(join(guildDir, 'alfa_20310101_000000_2.ulm'), neuBytes);

    const report = await recoverModels({
      dataDir: dirs.dataDir,
      modelsDir: dirs.modelsDir,
      databasePath: dirs.databasePath,
    });
    expect(report.registered.map(({ name, version, filename, from }) => ({ name, version, filename, from }))).toEqual([
      { name: 'alfa', version: 2, filename: 'alfa_20310101_000000_2.ulm', from: 'models' },
    ]);
    expect(report.skipped).toEqual([
      { guildId: GUILD, file: 'alfa_20300101_000000.ulm', reason: 'duplicate' },
      { guildId: GUILD, file: 'broken_20300101_000001.ulm', reason: 'damaged' },
    ]);
    expect(existsSync(join(guildDir, 'broken_20300101_000001.ulm'))).toBe(true);
    expect(manager.list(GUILD)[0].versions.map((version) => [version.version, version.stats.patterns])).toEqual([
      [2, newer.stats.patterns],
      [1, kept.stats.patterns],
    ]);
    const db = rawDatabase(dirs);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});

describe('saved file names', () => {
  it('reads the name, save time and same-second suffix a save writes, with the .N of a clash in .orphans/', () => {
    expect(parseSavedFilename('alfa_20241201_143022.ulm')).toEqual({
      name: { display: 'alfa', key: 'alfa' },
      savedAt: Date.UTC(2024, 11, 1, 14, 30, 22),
      attempt: 1,
    });
    expect(parseSavedFilename('Mi_modelo_2_20241201_143022_3.ulm.2')).toMatchObject({
      name: { display: 'Mi_modelo_2' },
      attempt: 3,
    });
    expect(parseSavedFilename('.draft_abc.ulm')).toBeNull();
    expect(parseSavedFilename('notes.txt')).toBeNull();
    expect(parseSavedFilename('con_20241201_143022.ulm')).toBeNull();
  });
});
