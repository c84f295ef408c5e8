// Two managers on one data directory, as two processes (two consoles, the bot and a console)
// would open it: each has its own connection and its own lease owner (issue 19). The tests with
// real processes are in test/console/two-processes.test.ts.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { ModelManager } from '../../src/manager/index.js';
import { GuildLeases, busyRejection } from '../../src/manager/guild-leases.js';
import { Coordination, isBusyError, retryBusy } from '../../src/store/index.js';
import {
  ana,
  bob,
  CORPORA,
  corpusSource,
  makeDirs,
  openManager,
  rawDatabase,
  rejection,
  TINY,
  type TestDirs,
} from './helpers.js';

const GUILD = '300000000000000001';
let dirs: TestDirs;
let opened: ModelManager[] = [];

beforeEach(() => {
  dirs = makeDirs('ultra-cross-');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((manager) => manager.close()));
  dirs.cleanup();
});

async function open(overrides: Parameters<typeof openManager>[1] = {}): Promise<ModelManager> {
  const manager = await openManager(dirs, overrides);
  opened.push(manager);
  return manager;
}

function train(manager: ModelManager, user = ana, lines: readonly string[] = CORPORA.es) {
  return manager.train(GUILD, user, [corpusSource(dirs, `${user.name}-${lines[0].length}.txt`, lines)], TINY, 'new');
}

function draftChecksum(): string {
  const db = rawDatabase(dirs);
  try {
    return (db.prepare('SELECT draft_checksum AS c FROM guild_state WHERE guild_id = ?').get(GUILD) as { c: string }).c;
  } finally {
    db.close();
  }
}

function savedChecksum(name: string): string {
  const db = rawDatabase(dirs);
  try {
    return (
      db
        .prepare('SELECT checksum AS c FROM models WHERE guild_id = ? AND name = ? ORDER BY version DESC')
        .get(GUILD, name) as { c: string }
    ).c;
  } finally {
    db.close();
  }
}

function insertLease(owner: string, expiresAt: number, jobId: string | null = null): void {
  const db = rawDatabase(dirs);
  try {
    db.prepare(
      `INSERT OR REPLACE INTO leases (guild_id, kind, owner, job_id, expires_at) VALUES (?, 'training', ?, ?, ?)`,
    ).run(GUILD, owner, jobId, expiresAt);
  } finally {
    db.close();
  }
}

describe('one training per server across processes', () => {
  it('refuses a training in the second process while the first trains, and shows it in its /status', async () => {
    const first = await open();
    const second = await open();
    const running = train(first, ana);
    const refused = await rejection(train(second, bob, CORPORA.en));
    expect(refused.code).toBe('ALREADY_TRAINING');
    expect(typeof refused.params.percent).toBe('number');
    const seen = second.status(GUILD).job;
    expect(seen?.user).toEqual(ana);
    expect(seen?.mode).toBe('new');
    await running;
    expect(second.status(GUILD).job).toBeNull();
    // The slot is free again for the second process.
    await train(second, bob, CORPORA.en);
  });

  it('takes over the training slot of a process that is gone (crashed), at once on this machine', async () => {
    const manager = await open();
    insertLease(`${hostname()}/999999999/dead`, Date.now() + 60_000);
    await train(manager);
  });

  it('takes over an expired lease, and refuses while a live one holds', async () => {
    const manager = await open();
    insertLease(`${hostname()}/${process.pid}/other`, Date.now() + 60_000);
    expect((await rejection(train(manager))).code).toBe('ALREADY_TRAINING');
    insertLease(`${hostname()}/${process.pid}/other`, Date.now() - 1);
    await train(manager);
  });
});

describe('/save saves the model the invoker trained', () => {
  it('refuses when another process replaced the draft, names who, then saves the current one on a second /save', async () => {
    const first = await open();
    const second = await open();
    await train(first, ana);
    await train(second, bob, CORPORA.en);
    const bobs = draftChecksum();
    const refused = await rejection(first.save(GUILD, ana, 'fromA'));
    expect(refused.code).toBe('WORKING_MODEL_CHANGED');
    expect(refused.params.kind).toBe('draft');
    expect(refused.params.user).toBe('Bob');
    expect(first.list(GUILD)).toEqual([]);
    // The second process saves its own model.
    await second.save(GUILD, bob, 'fromB');
    expect(savedChecksum('fromB')).toBe(bobs);
  });

  it('the Save button names its training: refused once another training replaced it, even in the same process', async () => {
    const manager = await open();
    const mine = await train(manager, ana);
    await train(manager, bob, CORPORA.en);
    const refused = await rejection(manager.save(GUILD, ana, 'x', { jobId: mine.jobId }));
    expect(refused.code).toBe('WORKING_MODEL_CHANGED');
    const bobs = draftChecksum();
    await manager.save(GUILD, bob, 'y');
    expect(savedChecksum('y')).toBe(bobs);
  });

  it('saves the draft of the invoker’s own training when nothing replaced it', async () => {
    const manager = await open();
    const outcome = await train(manager, ana);
    const checksum = draftChecksum();
    await manager.save(GUILD, ana, 'mine', { jobId: outcome.jobId });
    expect(savedChecksum('mine')).toBe(checksum);
  });
});

describe('races between processes end in ordinary answers', () => {
  it('20 rounds of concurrent save, delete and load in two processes: only user errors, integrity ok', async () => {
    const first = await open();
    const second = await open();
    await train(first, ana);
    await first.save(GUILD, ana, 'm');
    const unexpected: unknown[] = [];
    const allowed = new Set(['MODEL_NOT_FOUND', 'NO_TRAINED_MODEL', 'WORKING_MODEL_CHANGED']);
    const settle = (promise: Promise<unknown>) =>
      promise.catch((error: unknown) => {
        if (!(error instanceof UserError) || !allowed.has(error.code)) unexpected.push(error);
      });
    for (let round = 0; round < 20; round++) {
      await Promise.all([
        settle(first.save(GUILD, ana, 'm')),
        settle(second.delete(GUILD, 'm')),
        settle(first.load(GUILD, 'm')),
        settle(second.load(GUILD, 'm')),
        settle(first.delete(GUILD, 'm')),
      ]);
      await settle(second.save(GUILD, bob, 'm'));
    }
    expect(unexpected).toEqual([]);
    const db = rawDatabase(dirs);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });

  it('load of a model another process just deleted answers "no model called …"', async () => {
    const first = await open();
    const second = await open();
    await train(first, ana);
    await first.save(GUILD, ana, 'gone');
    await second.delete(GUILD, 'gone');
    const refused = await rejection(first.load(GUILD, 'gone'));
    expect(refused.code).toBe('MODEL_NOT_FOUND');
  });

  it('delete and delete at once: one deletes, the other answers "no model called …"', async () => {
    const first = await open();
    const second = await open();
    await train(first, ana);
    await first.save(GUILD, ana, 'twice');
    const results = await Promise.allSettled([first.delete(GUILD, 'twice'), second.delete(GUILD, 'twice')]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const failure = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect((failure.reason as UserError).code).toBe('MODEL_NOT_FOUND');
  });
});

describe('saves of one name within a second', () => {
  it('stores 150 saves made at the same instant, each in its own file', async () => {
    const at = Date.UTC(2024, 11, 1, 14, 30, 22);
    const manager = await open({
      now: () => at,
      limits: {
        maxModels: 1_000,
        maxBytes: 1 << 30,
        maxTrainingBytes: 1 << 20,
        maxAttachmentBytes: 1 << 20,
        maxFiles: 10,
        maxVersionsPerModel: 1_000,
      },
    });
    await train(manager, ana);
    for (let i = 0; i < 150; i++) await manager.save(GUILD, ana, 'burst');
    const versions = manager.list(GUILD)[0].versions;
    expect(versions).toHaveLength(150);
    expect(new Set(versions.map((info) => info.filename)).size).toBe(150);
  });
});

describe('after a crash', () => {
  it('finishes a delete that a crash interrupted after its rows were gone (no file left in .orphans/)', async () => {
    const manager = await open();
    await train(manager, ana);
    const saved = await manager.save(GUILD, ana, 'half');
    await manager.close();
    opened = [];
    // What a crash between the rows and the files leaves: the row gone, the file still there.
    const db = rawDatabase(dirs);
    db.transaction(() => {
      db.prepare('UPDATE guild_state SET active_model_id = NULL WHERE guild_id = ?').run(GUILD);
      db.prepare('DELETE FROM models WHERE guild_id = ?').run(GUILD);
      db.prepare('INSERT INTO pending_deletes (guild_id, filename) VALUES (?, ?)').run(GUILD, saved.filename);
    })();
    db.close();
    const reopened = await open();
    expect(reopened.reconcileReport.deletesFinished).toEqual([{ guildId: GUILD, filename: saved.filename }]);
    expect(reopened.reconcileReport.orphansMoved).toEqual([]);
    expect(existsSync(join(dirs.modelsDir, GUILD, saved.filename))).toBe(false);
    expect(existsSync(join(dirs.modelsDir, GUILD, '.orphans'))).toBe(false);
  });

  it('tells /status that the last training was interrupted by a stopped process', async () => {
    const manager = await open();
    await train(manager, ana);
    await manager.close();
    opened = [];
    const db = rawDatabase(dirs);
    db.prepare(
      `INSERT INTO jobs (id, guild_id, user_id, user_name, kind, state, started_at) VALUES ('job-1', ?, '1', 'Ana', 'train-new', 'running', 5)`,
    ).run(GUILD);
    db.close();
    const reopened = await open();
    expect(reopened.status(GUILD).interrupted).toMatchObject({ jobId: 'job-1', userName: 'Ana', startedAt: 5 });
    await train(reopened, ana);
    expect(reopened.status(GUILD).interrupted).toBeNull();
  });

  it('a second process starting while the first trains leaves that training alone (no reconcile of a leased guild)', async () => {
    const first = await open();
    const running = train(first, ana);
    const second = await open();
    expect(second.reconcileReport.jobsInterrupted).toEqual([]);
    await running;
    expect(first.status(GUILD).active.kind).toBe('working');
  });

  it('a job of a process that died is shown as interrupted to the other process', async () => {
    const manager = await open();
    const db = rawDatabase(dirs);
    db.prepare(
      `INSERT INTO jobs (id, guild_id, user_id, user_name, kind, state, started_at) VALUES ('job-2', ?, '1', 'Ana', 'train-new', 'running', 7)`,
    ).run(GUILD);
    db.close();
    insertLease(`${hostname()}/999999999/dead`, Date.now() + 60_000, 'job-2');
    const status = manager.status(GUILD);
    expect(status.job).toBeNull();
    expect(status.interrupted).toMatchObject({ jobId: 'job-2', userName: 'Ana' });
  });
});

describe('SQLite contention', () => {
  it('retries a busy write a bounded number of times, then lets the error through', () => {
    let calls = 0;
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(
      retryBusy(() =>
        ++calls < 3
          ? (() => {
              throw busy;
            })()
          : 'done',
      ),
    ).toBe('done');
    calls = 0;
    expect(() =>
      retryBusy(() => {
        calls++;
        throw busy;
      }),
    ).toThrow('database is locked');
    expect(calls).toBe(4);
    expect(isBusyError(busy)).toBe(true);
    expect(isBusyError(new Error('other'))).toBe(false);
  });

  it('turns contention that outlasted the retries into DATABASE_BUSY', async () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY_SNAPSHOT' });
    const error = await Promise.reject(busy).catch((caught: unknown) => {
      try {
        return busyRejection(caught);
      } catch (mapped) {
        return mapped;
      }
    });
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('DATABASE_BUSY');
  });

  it('waits for another process’s section and runs after it', async () => {
    const manager = await open();
    const db = (manager as unknown as { db: import('better-sqlite3').Database }).db;
    const other = new GuildLeases(new Coordination(db, `${hostname()}/${process.pid}/other`));
    const order: string[] = [];
    let releaseOther: () => void = () => undefined;
    const held = other.withSection(
      GUILD,
      () =>
        new Promise<void>(
          (resolve) =>
            (releaseOther = () => {
              order.push('other');
              resolve();
            }),
        ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const mine = new GuildLeases(new Coordination(db)).withSection(GUILD, async () => void order.push('mine'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(order).toEqual([]);
    releaseOther();
    await Promise.all([held, mine]);
    expect(order).toEqual(['other', 'mine']);
  });
});
