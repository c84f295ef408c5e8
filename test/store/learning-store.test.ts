import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LearningStore, openDatabase, type SqliteDatabase } from '../../src/store/index.js';

const GUILD = '400000000000000001';
const message = (id: number) => ({
  messageId: String(200000000000000000n + BigInt(id)),
  channelId: '100000000000000001',
  authorId: '300000000000000001',
  content: `message ${id}`,
  createdAt: 1_000 + id,
});

let root: string;
let db: SqliteDatabase;
/** The connection's synchronous levels set, in order (PRAGMA synchronous = …). */
let levelsSet: string[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ultra-learning-store-'));
  db = openDatabase(join(root, 'db.sqlite'));
  levelsSet = [];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: { simple?: boolean }) => {
    if (/^synchronous\s*=/.test(source)) levelsSet.push(source.replace(/\s+/g, ' '));
    return pragma(source, options);
  }) as typeof db.pragma;
});

afterEach(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

const level = () => db.pragma('synchronous', { simple: true });

describe('LearningStore on the process’s one connection', () => {
  it('keeps, edits and deletes chat messages with synchronous NORMAL and leaves the connection at FULL', () => {
    const store = new LearningStore(db);
    expect(level()).toBe(2);
    store.collect(GUILD, message(1), 10);
    store.collect(GUILD, message(2), null);
    expect(store.edit(GUILD, message(1).messageId, 'edited')).toBe(true);
    expect(store.remove(GUILD, message(2).messageId)).toBe(true);
    expect(levelsSet).toEqual(Array.from({ length: 4 }, () => ['synchronous = NORMAL', 'synchronous = 2']).flat());
    expect(level()).toBe(2);
    expect(store.messages(GUILD, { untrainedOnly: false }).map((kept) => kept.content)).toEqual(['edited']);
  });

  it('writes settings, batches and forgetting at the connection’s own level', () => {
    const store = new LearningStore(db);
    store.setListening(GUILD, '100000000000000001', true);
    store.setPrivacyMode(GUILD, 'opt-in');
    store.collect(GUILD, message(1), null);
    store.markBatch(GUILD, 5_000, { createdAt: 1_001, rebuilt: false });
    expect(store.forgetAuthor(GUILD, message(1).authorId)).toBe(1);
    expect(levelsSet).toEqual(['synchronous = NORMAL', 'synchronous = 2']);
    expect(level()).toBe(2);
  });

  it('puts back whatever level the connection had', () => {
    db.pragma('synchronous = OFF');
    levelsSet = [];
    new LearningStore(db).collect(GUILD, message(1), null);
    expect(levelsSet).toEqual(['synchronous = NORMAL', 'synchronous = 0']);
    expect(level()).toBe(0);
  });
});
