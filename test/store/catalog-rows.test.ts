// Catalog rows whose optional columns are empty (written by hand, by an older process, or cut
// short), and the interrupted-training notices a process claims for the guilds it serves.
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog, openDatabase, type SqliteDatabase } from '../../src/store/index.js';
import { liveProcesses } from '../../src/store/presence.js';

let root: string;
let db: SqliteDatabase;
let catalog: Catalog;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ultra-catalog-rows-'));
  db = openDatabase(join(root, 'db.sqlite'));
  catalog = new Catalog(db);
});

afterEach(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

describe('Catalog rows with empty optional columns', () => {
  it('reads a draft that names only its file as a draft of 0 bytes, no checksum, unknown author and null stats', () => {
    db.prepare('INSERT INTO guild_state (guild_id, draft_filename, updated_at) VALUES (?, ?, ?)').run(
      'g1',
      'draft.ulm',
      5,
    );
    expect(catalog.guildState('g1')).toEqual({
      guildId: 'g1',
      activeModelId: null,
      draft: {
        filename: 'draft.ulm',
        bytes: 0,
        checksum: '',
        createdAt: 0,
        createdBy: { id: '', name: '' },
        statsJson: 'null',
      },
      updatedAt: 5,
    });
  });

  it('reads a job result that names only its file with the job’s start as its time and the job’s user as author', () => {
    catalog.insertJob({
      id: 'j1',
      guildId: 'g1',
      user: { id: 'u1', name: 'Ana' },
      kind: 'train-new',
      state: 'running',
      startedAt: 1_000,
    });
    db.prepare('UPDATE jobs SET result_filename = ? WHERE id = ?').run('r.ulm', 'j1');
    expect(catalog.job('j1')!.result).toEqual({
      filename: 'r.ulm',
      bytes: 0,
      checksum: '',
      createdAt: 1_000,
      createdBy: { id: 'u1', name: 'Ana' },
      statsJson: 'null',
    });
  });
});

describe('Catalog.claimInterruptedNotices', () => {
  it('claims each interrupted training of the served guilds once, and leaves the others for their process', () => {
    for (const [id, guildId] of [
      ['j1', 'g1'],
      ['j2', 'g2'],
    ]) {
      catalog.insertJob({
        id,
        guildId,
        user: { id: 'u1', name: 'Ana' },
        kind: 'train-new',
        state: 'interrupted',
        startedAt: 10,
        channelId: `c-${guildId}`,
      });
    }
    expect(catalog.claimInterruptedNotices(['g1'], 20)).toEqual([
      { jobId: 'j1', guildId: 'g1', channelId: 'c-g1', userName: 'Ana', startedAt: 10 },
    ]);
    expect(catalog.claimInterruptedNotices(['g1'], 21)).toEqual([]);
    expect(catalog.claimInterruptedNotices(['g1', 'g2'], 22).map((notice) => notice.jobId)).toEqual(['j2']);
  });
});

describe('liveProcesses', () => {
  it('counts a process as live until its row expires, and a process of this host only while its pid runs', () => {
    const put = (owner: string, row: Record<string, unknown>) =>
      db
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
        .run(`process/${owner}`, JSON.stringify({ owner, ...row }));
    put('me', { host: hostname(), pid: process.pid, startedAt: 0, expiresAt: 2_000 });
    put('dead-here', { host: hostname(), pid: 999_999_999, startedAt: 0, expiresAt: 2_000 });
    put('elsewhere', { host: 'another-machine', pid: 999_999_999, startedAt: 0, expiresAt: 2_000 });
    put('expired', { host: 'another-machine', pid: 1, startedAt: 0, expiresAt: 500 });
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('process/garbled', '{not json');
    expect(liveProcesses(db, 1_000).map((row) => row.owner)).toEqual(['elsewhere', 'me']);
  });
});
