import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog, openDatabase, SCHEMA_VERSION } from '../../src/store/index.js';
import { modelRow } from './helpers.js';

let root: string;
let path: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ultra-db-'));
  path = join(root, 'data', 'ultraefficient.sqlite');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('creates the schema with WAL, foreign keys and the current user_version', () => {
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    expect(tables.map((table) => table.name)).toEqual([
      'collected_messages',
      'guild_state',
      'jobs',
      'learning_channels',
      'learning_members',
      'learning_settings',
      'leases',
      'meta',
      'models',
      'pending_deletes',
    ]);
    db.close();
  });

  it('lets several connections (processes) open and migrate the same file', () => {
    const first = openDatabase(path);
    const second = openDatabase(path);
    new Catalog(first).commitSave(modelRow('local', 'a', 1), 1);
    expect(new Catalog(second).listModels('local').map((row) => row.name)).toEqual(['a']);
    first.close();
    second.close();
  });

  it('refuses a database written by a newer program', () => {
    const raw = new Database(path.replace('data/', ''));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(path.replace('data/', ''))).toThrow(/newer/);
  });

  it('passes integrity_check', () => {
    const db = openDatabase(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});

describe('Catalog', () => {
  it('stores versions, reports usage and the next version number per guild', () => {
    const catalog = new Catalog(openDatabase(path));
    catalog.commitSave(modelRow('g1', 'poemas', 1), 10);
    catalog.commitSave(modelRow('g1', 'poemas', 2), 11);
    catalog.commitSave(modelRow('g2', 'poemas', 1), 12);
    expect(catalog.versionsOf('g1', 'poemas').map((row) => row.version)).toEqual([2, 1]);
    expect(catalog.usage('g1')).toEqual({ models: 2, bytes: 300 });
    expect(catalog.usage('g3')).toEqual({ models: 0, bytes: 0 });
    expect(catalog.nextVersion('g1', 'poemas')).toBe(3);
    expect(catalog.nextVersion('g1', 'otro')).toBe(1);
    expect(catalog.filenameTaken('g1', 'poemas_v1.ulm')).toBe(true);
    expect(catalog.filenameTaken('g3', 'poemas_v1.ulm')).toBe(false);
    catalog.db.close();
  });

  it('makes a saved model active and clears it when that model is deleted', () => {
    const catalog = new Catalog(openDatabase(path));
    const id = catalog.commitSave(modelRow('g1', 'a', 1), 10);
    expect(catalog.guildState('g1')).toMatchObject({ activeModelId: id, draft: null });
    expect(catalog.deleteModels('g1', [id], 11)).toEqual({ wasActive: true });
    expect(catalog.guildState('g1')).toMatchObject({ activeModelId: null });
    expect(catalog.listModels('g1')).toEqual([]);
    catalog.db.close();
  });

  it("cannot make another guild's model active, nor reach it by id", () => {
    const catalog = new Catalog(openDatabase(path));
    const foreign = catalog.commitSave(modelRow('g1', 'a', 1), 10);
    expect(() => catalog.setActive('g2', foreign, 11)).toThrow(/FOREIGN KEY/);
    expect(catalog.model('g2', foreign)).toBeUndefined();
    catalog.deleteModels('g2', [foreign], 12);
    expect(catalog.listModels('g1')).toHaveLength(1);
    catalog.db.close();
  });

  it('keeps a draft and an active model mutually exclusive', () => {
    const catalog = new Catalog(openDatabase(path));
    const id = catalog.commitSave(modelRow('g1', 'a', 1), 10);
    catalog.insertJob({
      id: 'job-1',
      guildId: 'g1',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    const draft = {
      filename: '.draft_job-1.ulm',
      bytes: 5,
      checksum: 'd'.repeat(64),
      createdAt: 2,
      createdBy: { id: '1', name: 'Ana' },
      statsJson: '{}',
    };
    catalog.commitTrainingResult('g1', 'job-1', draft, 3, null);
    expect(catalog.guildState('g1')).toMatchObject({ activeModelId: null, draft });
    expect(catalog.job('job-1')).toMatchObject({ state: 'done', progress: 1, finishedAt: 3 });
    catalog.setActive('g1', id, 4);
    expect(catalog.guildState('g1')).toMatchObject({ activeModelId: id, draft: null });
    catalog.db.close();
  });

  it('records a finishing job result before it is committed, and lists open jobs', () => {
    const catalog = new Catalog(openDatabase(path));
    catalog.insertJob({
      id: 'job-1',
      guildId: 'g1',
      user: { id: '1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1,
    });
    catalog.insertJob({
      id: 'job-2',
      guildId: 'g2',
      user: { id: '2', name: 'Bob' },
      kind: 'train-append',
      state: 'queued',
      startedAt: 2,
    });
    const result = {
      filename: '.draft_job-1.ulm',
      bytes: 5,
      checksum: 'd'.repeat(64),
      createdAt: 7,
      createdBy: { id: '1', name: 'Ana' },
      statsJson: '{}',
    };
    catalog.markJobWriting('job-1', result);
    expect(catalog.openJobs().map((job) => [job.id, job.state])).toEqual([
      ['job-1', 'writing'],
      ['job-2', 'queued'],
    ]);
    expect(catalog.job('job-1')?.result).toEqual(result);
    catalog.finishJob('job-2', 'cancelled', 9, 'TRAINING_CANCELLED');
    expect(catalog.openJobs().map((job) => job.id)).toEqual(['job-1']);
    catalog.db.close();
  });

  it('suggests the latest version of names containing the query, bound as a parameter', () => {
    const catalog = new Catalog(openDatabase(path));
    catalog.commitSave(modelRow('g1', 'poemas', 1), 1);
    catalog.commitSave(modelRow('g1', 'poemas', 2), 2);
    catalog.commitSave(modelRow('g1', 'cuentos', 1), 3);
    catalog.commitSave(modelRow('g2', 'poemas_ajenos', 1), 4);
    expect(catalog.suggest('g1', 'po', 25).map((row) => [row.name, row.version])).toEqual([['poemas', 2]]);
    expect(catalog.suggest('g1', '', 25).map((row) => row.name)).toEqual(['cuentos', 'poemas']);
    expect(catalog.suggest('g1', "%' OR '1'='1", 25)).toEqual([]);
    catalog.db.close();
  });

  it('stores meta values', () => {
    const catalog = new Catalog(openDatabase(path));
    expect(catalog.getMeta('commands-hash')).toBeUndefined();
    catalog.setMeta('commands-hash', 'abc');
    catalog.setMeta('commands-hash', 'def');
    expect(catalog.getMeta('commands-hash')).toBe('def');
    catalog.db.close();
  });
});
