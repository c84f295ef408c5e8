import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSince } from '../../src/commands/since-date.js';
import { decideReply } from '../../src/discord/channel-events.js';
import { UserError } from '../../src/errors.js';
import { CAP_CHECK_EVERY, ChannelLearning } from '../../src/manager/channel-learning.js';
import type { ModelManagerApi } from '../../src/manager/types.js';
import { LearningStore, openDatabase, type SqliteDatabase } from '../../src/store/index.js';

const base = {
  authorIsBot: false,
  mentioned: false,
  content: 'hi there',
  chance: 0,
  roll: 50,
  lastReplyAt: undefined,
  now: 100_000,
  cooldownMs: 10_000,
};

describe('decideReply', () => {
  it('always answers a mention, seeded by the rest of the message without mentions or links', () => {
    expect(
      decideReply({
        ...base,
        mentioned: true,
        content: '<@123456789012345678> the cat https://x.io <:ee:123456789012345678>',
      }),
    ).toEqual({ answer: true, prompt: 'the cat', mentioned: true });
  });
  it('answers by chance when the roll is below it', () => {
    expect(decideReply({ ...base, chance: 30, roll: 29.9 })).toMatchObject({ answer: true, mentioned: false });
    expect(decideReply({ ...base, chance: 30, roll: 30 })).toEqual({ answer: false, reason: 'chance' });
    expect(decideReply({ ...base, chance: 100, roll: 99.99 })).toMatchObject({ answer: true });
    expect(decideReply({ ...base, chance: 0, roll: 0 })).toEqual({ answer: false, reason: 'chance' });
  });
  it('never answers a bot, and keeps the channel cooldown even for mentions', () => {
    expect(decideReply({ ...base, authorIsBot: true, mentioned: true })).toEqual({ answer: false, reason: 'bot' });
    expect(decideReply({ ...base, mentioned: true, lastReplyAt: 95_000 })).toEqual({
      answer: false,
      reason: 'cooldown',
    });
    expect(decideReply({ ...base, mentioned: true, lastReplyAt: 90_000 })).toMatchObject({ answer: true });
  });
});

describe('parseSince', () => {
  const now = Date.UTC(2024, 5, 1, 12);
  it('reads dates, date-times (UTC unless an offset is given) and spans back from now', () => {
    expect(parseSince('since', '2024-05-31', now)).toBe(Date.UTC(2024, 4, 31));
    expect(parseSince('since', '2024-05-31T18:30', now)).toBe(Date.UTC(2024, 4, 31, 18, 30));
    expect(parseSince('since', '2024-05-31T18:30+02:00', now)).toBe(Date.UTC(2024, 4, 31, 16, 30));
    expect(parseSince('since', '30d', now)).toBe(now - 30 * 86_400_000);
    expect(parseSince('since', '2w', now)).toBe(now - 14 * 86_400_000);
    expect(parseSince('since', '12h', now)).toBe(now - 12 * 3_600_000);
  });
  it('refuses anything else, and the future, with INVALID_DATE', () => {
    for (const text of ['yesterday', '2024-13-01', '31/05/2024', '2025-01-01', '5y', '']) {
      expect(() => parseSince('since', text, now), text).toThrow(UserError);
    }
  });
});

describe('ChannelLearning storage', () => {
  let dir: string | undefined;
  let learning: ChannelLearning | undefined;
  let db: SqliteDatabase | undefined;
  afterEach(async () => {
    await learning?.close();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  // The learning tables on a database of the test's own (the bot gives the manager's connection).
  const storeIn = (folder: string) => {
    db = openDatabase(join(folder, 'db.sqlite'));
    return new LearningStore(db);
  };
  const open = (cap = 3) => {
    dir = mkdtempSync(join(tmpdir(), 'ultra-learning-'));
    const manager = { status: () => ({ active: { kind: 'none' } }) } as unknown as ModelManagerApi;
    learning = new ChannelLearning(manager, {
      store: storeIn(dir),
      batchIntervalMs: 60_000,
      maxMessagesPerGuild: cap,
    });
    return learning;
  };
  const message = (guildId: string, id: number, extra: Partial<Parameters<ChannelLearning['observe']>[0]> = {}) => ({
    guildId,
    channelId: '100000000000000001',
    messageId: String(200000000000000000n + BigInt(id)),
    authorId: '300000000000000001',
    authorIsBot: false,
    content: `message ${id}`,
    createdAt: 1_000 + id,
    ...extra,
  });

  it('keeps messages of listened channels only, per server, dropping the oldest beyond the cap', () => {
    const store = open(3);
    const a = '400000000000000001';
    const b = '400000000000000002';
    store.setListening(a, '100000000000000001', true);
    expect(store.observe(message(b, 1))).toBe(false);
    expect(store.observe(message(a, 1000, { authorIsBot: true }))).toBe(false);
    expect(store.observe(message(a, 1001, { channelId: '100000000000000009' }))).toBe(false);
    expect(
      store.observe(message(a, 1002, { channelId: '100000000000000009', parentChannelId: '100000000000000001' })),
    ).toBe(true);
    // The cap is checked on a server's first message, then every CAP_CHECK_EVERY messages.
    for (let i = 1; i < CAP_CHECK_EVERY; i += 1) expect(store.observe(message(a, i))).toBe(true);
    expect(store.counts(a).messages).toBe(CAP_CHECK_EVERY);
    store.observe(message(a, CAP_CHECK_EVERY));
    expect(store.counts(a)).toMatchObject({ messages: 3, untrained: 3 });
    expect(store.counts(b).messages).toBe(0);
  });

  it('in opt-in mode keeps only members who joined; leaving forgets them', () => {
    const store = open(10);
    const g = '400000000000000001';
    store.setListening(g, '100000000000000001', true);
    store.setPrivacyMode(g, 'opt-in');
    expect(store.observe(message(g, 1))).toBe(false);
    store.join(g, '300000000000000001');
    expect(store.observe(message(g, 2))).toBe(true);
    expect(store.leave(g, '300000000000000001')).toBe(1);
    expect(store.observe(message(g, 3))).toBe(false);
  });

  it('runs batches only for the servers this process owns (shards)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ultra-learning-'));
    const trained: string[] = [];
    const manager = {
      status: () => ({ active: { kind: 'none' } }),
      train: async (guildId: string) => {
        trained.push(guildId);
        return {};
      },
    } as unknown as ModelManagerApi;
    const mine = '400000000000000001';
    const theirs = '400000000000000002';
    learning = new ChannelLearning(manager, {
      store: storeIn(dir),
      batchIntervalMs: 60_000,
      ownsGuild: (id) => id === mine,
    });
    for (const guildId of [mine, theirs]) {
      learning.setListening(guildId, '100000000000000001', true);
      learning.observe(message(guildId, 1));
    }
    const outcomes = await learning.runAll();
    expect([...outcomes.entries()]).toEqual([[mine, 'appended']]);
    expect(trained).toEqual([mine]);
    expect(learning.counts(theirs).untrained).toBe(1);
  });

  it('reply chance: the channel’s own, else the server’s in listened channels (and their threads), else 0', () => {
    const store = open();
    const g = '400000000000000001';
    expect(store.replyChance(g, '100000000000000001')).toBe(0);
    store.setReplyChance(g, null, 25);
    expect(store.replyChance(g, '100000000000000001')).toBe(0);
    store.setListening(g, '100000000000000001', true);
    expect(store.replyChance(g, '100000000000000001')).toBe(25);
    expect(store.replyChance(g, '100000000000000007', '100000000000000001')).toBe(25);
    store.setReplyChance(g, '100000000000000002', 80);
    expect(store.replyChance(g, '100000000000000002')).toBe(80);
    expect(() => store.setReplyChance(g, null, 101)).toThrow(UserError);
  });
});
