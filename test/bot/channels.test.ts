// End-to-end, issue 18: /train channel: the real bot reads a channel's history from the local
// Discord server (REST pages of 100), with the Message Content intent granted and requested.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GuildSeed, InteractionHandle } from '../discord/server.js';
import { customIds, messageRequests, mentionsOf, seen, startTestBot, visibleText, type TestBot } from './harness.js';

const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);
const HUMAN = { id: '1300000000000000001', username: 'ana' };
const OTHER_BOT = { id: '1300000000000000002', username: 'otherbot', bot: true };

let t: TestBot;
let nextGuild = 0;
const id = (index: number, k: number) => String(1500000000000000000n + BigInt(index * 10 + k));
const guilds: GuildSeed[] = Array.from({ length: 12 }, (_, index) => ({
  name: `Channels ${index}`,
  channels: [
    { id: id(index, 0), name: 'general' },
    { name: 'no-history', botDenied: ['ReadMessageHistory'] },
    { name: 'hidden', botDenied: ['ViewChannel'] },
    { name: 'a-thread', type: 11 },
    { id: id(index, 4), name: 'forum', type: 15 },
    { name: 'first-post', type: 11, parentId: id(index, 4) },
    { name: 'second-post', type: 11, parentId: id(index, 4) },
    { name: 'general-thread', type: 11, parentId: id(index, 0) },
  ],
}));
/** A server whose channel and forum have archived threads besides active ones. */
const ARCHIVE = 12;
guilds.push({
  name: 'Archives',
  channels: [
    { id: id(ARCHIVE, 0), name: 'general' },
    { name: 'live-thread', type: 11, parentId: id(ARCHIVE, 0) },
    { name: 'old-thread', type: 11, parentId: id(ARCHIVE, 0), archived: true },
    { name: 'older-thread', type: 11, parentId: id(ARCHIVE, 0), archived: true },
    { id: id(ARCHIVE, 4), name: 'forum', type: 15 },
    { name: 'old-post', type: 11, parentId: id(ARCHIVE, 4), archived: true },
  ],
});
const freshGuild = () => {
  const guild = t.server.guilds[nextGuild++];
  const [general, noHistory, hidden, thread, forum, firstPost, secondPost, generalThread] = t.server.channelsOf(
    guild.id,
  );
  return {
    guildId: guild.id,
    general: general.id,
    noHistory: noHistory.id,
    hidden: hidden.id,
    thread: thread.id,
    forum: forum.id,
    firstPost: firstPost.id,
    secondPost: secondPost.id,
    generalThread: generalThread.id,
  };
};

beforeAll(async () => {
  t = await startTestBot({
    serverOptions: { guilds, privilegedIntents: ['MessageContent'] },
    env: { LEARN_FROM_CHANNELS: 'true', MAX_TRAINING_BYTES: '4MB', MAX_ATTACHMENT_BYTES: '4MB' },
  });
});

afterAll(async () => {
  await t?.close();
});

async function trainChannel(
  guildId: string,
  options: Record<string, string | number>,
  extra: { locale?: string } = {},
): Promise<InteractionHandle> {
  const handle = t.server.invoke({
    guildId,
    commandName: 'train',
    options,
    memberPermissions: SERVER_MANAGER,
    ...extra,
  });
  await handle.waitFor(
    (h) =>
      customIds(h.original).includes('train:save') ||
      h.followUps.length > 0 ||
      (h.original !== undefined &&
        (h.original.flags & 128) === 0 &&
        /❌|cannot|No puedo|not both|off/.test(visibleText(h.original))),
    { timeoutMs: 60_000 },
  );
  return handle;
}

const historyRequests = (channelId: string) =>
  t.server.requests.filter((request) => request.method === 'GET' && request.path === `/channels/${channelId}/messages`);

describe('/train channel', () => {
  test('learns a 20,000-message channel history with progress, under the 3-second and 15-minute rules', async () => {
    const { guildId, general } = freshGuild();
    const words = ['the cat', 'a dog', 'sat on', 'the mat', 'ran to', 'the log', 'and then', 'slept'];
    t.server.seedHistory(
      general,
      Array.from({ length: 20_000 }, (_, i) => ({
        content: `${words[i % 8]} ${words[(i * 3) % 8]} ${words[(i * 5 + 1) % 8]} ${i % 97}`,
        author: HUMAN,
      })),
    );
    // Each page takes 15 ms: the history alone lasts ~3 s, so the progress message is edited on the way.
    const slow = t.server.delay('/channels/{channel}/messages', 15, { method: 'GET' });
    const handle = await trainChannel(guildId, { channel: general, limit: 20_000 });
    slow.remove();
    expect(handle.events[0]).toMatchObject({ kind: 'callback', callbackType: 5 });
    expect(handle.events[0].elapsedMs).toBeLessThan(3000);
    const final = handle.original!;
    expect(visibleText(final)).toContain('Training finished');
    expect(visibleText(final)).toContain(`Learned 20,000 lines from <#${general}>`);
    const progress = final.versions.filter(
      (version) => (version.embeds[0] as { title?: string } | undefined)?.title === 'Training…',
    );
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const requests = historyRequests(general);
    expect(requests).toHaveLength(200);
    expect(requests.every((request) => request.query.limit === '100')).toBe(true);
    expect(requests.slice(1).every((request) => /^\d+$/.test(request.query.before ?? ''))).toBe(true);
    expect(handle.violations).toEqual([]);
    for (const request of messageRequests(t.server).filter((r) => r.interactionId === handle.id))
      expect(mentionsOf(request)).toEqual({ parse: [] });
  }, 90_000);

  test('channel history leaves out bots and cleans mentions, links and commands', async () => {
    const { guildId, general } = freshGuild();
    t.server.seedHistory(general, [
      { content: 'hello <@123456789012345678> look https://example.com now', author: HUMAN },
      { content: '!play something loud', author: HUMAN },
      { content: 'beep boop i am a bot', author: OTHER_BOT },
      { content: 'good night everyone', author: HUMAN },
    ]);
    const handle = await trainChannel(guildId, { channel: general });
    expect(visibleText(handle.original)).toContain('Learned 2 lines');
    const status = t.bot.manager.status(guildId);
    expect(status.active.kind).toBe('working');
    const result = await t.bot.manager.generate(guildId, { prompt: 'hello', maxLength: 20, seed: 3 });
    expect(result.text).not.toMatch(/<@|https?:|beep|!play/);
  });

  test('channel history with since reads only the newer messages', async () => {
    const { guildId, general } = freshGuild();
    const day = 86_400_000;
    const start = Date.UTC(2024, 0, 1);
    t.server.seedHistory(
      general,
      Array.from({ length: 30 }, (_, i) => ({ content: `day ${i} was fine`, author: HUMAN, at: start + i * day })),
    );
    const handle = await trainChannel(guildId, { channel: general, since: '2024-01-21' });
    expect(visibleText(handle.original)).toContain('Learned 10 lines');
  });

  test('channel option names the missing Read Message History permission', async () => {
    const { guildId, noHistory } = freshGuild();
    const handle = t.server.invoke({
      guildId,
      commandName: 'train',
      options: { channel: noHistory },
      memberPermissions: SERVER_MANAGER,
    });
    await handle.settled();
    expect(visibleText(handle.original)).toContain('I am missing the **Read Message History** permission there');
    expect(historyRequests(noHistory)).toHaveLength(0);
  });

  test('channel option names the missing View Channel permission, in Spanish', async () => {
    const { guildId, hidden } = freshGuild();
    const handle = t.server.invoke({
      guildId,
      commandName: 'train',
      options: { channel: hidden },
      memberPermissions: SERVER_MANAGER,
      locale: 'es-ES',
    });
    await handle.settled();
    expect(visibleText(handle.original)).toContain('me falta el permiso **Ver canal**');
  });

  test('channel training reads a thread and appends to the current model', async () => {
    const { guildId, general, thread } = freshGuild();
    t.server.seedHistory(general, [{ content: 'first words here', author: HUMAN }]);
    t.server.seedHistory(thread, [
      { content: 'thread words there', author: HUMAN },
      { content: 'more thread words', author: HUMAN },
    ]);
    await trainChannel(guildId, { channel: general });
    const appended = await trainChannel(guildId, { channel: thread, mode: 'append' });
    expect(visibleText(appended.original)).toContain('Added 2 lines');
    const status = t.bot.manager.status(guildId);
    expect(status.active.kind === 'working' && status.active.stats.corpus.lines).toBe(3);
  });

  test('channel training includes the channel’s threads, and a forum’s posts', async () => {
    const { guildId, general, generalThread, forum, firstPost, secondPost } = freshGuild();
    t.server.seedHistory(general, [{ content: 'in the channel itself', author: HUMAN }]);
    t.server.seedHistory(generalThread, [{ content: 'in its thread', author: HUMAN }]);
    const channelTraining = await trainChannel(guildId, { channel: general });
    expect(visibleText(channelTraining.original)).toContain('Learned 2 lines');
    t.server.seedHistory(firstPost, [
      { content: 'first post words', author: HUMAN },
      { content: 'a reply to it', author: HUMAN },
    ]);
    t.server.seedHistory(secondPost, [{ content: 'second post words', author: HUMAN }]);
    const forumTraining = await trainChannel(guildId, { channel: forum, mode: 'append' });
    expect(visibleText(forumTraining.original)).toContain(`Added 3 lines from <#${forum}>`);
    expect(historyRequests(forum)).toHaveLength(0);
  });

  test('channel training also reads archived threads and a forum’s archived posts', async () => {
    const guild = t.server.guilds[ARCHIVE];
    const [general, live, old, older, forum, oldPost] = t.server.channelsOf(guild.id);
    t.server.seedHistory(general.id, [{ content: 'in the channel itself', author: HUMAN }]);
    t.server.seedHistory(live.id, [{ content: 'in the live thread', author: HUMAN }]);
    t.server.seedHistory(old.id, [{ content: 'in an archived thread', author: HUMAN }]);
    t.server.seedHistory(older.id, [{ content: 'in an older archived thread', author: HUMAN }]);
    t.server.seedHistory(oldPost.id, [{ content: 'an archived forum post', author: HUMAN }]);
    // Archived threads are not in GUILD_CREATE: discord.js does not know them before the listing.
    expect(t.bot.client.channels.cache.has(old.id)).toBe(false);
    const channelTraining = await trainChannel(guild.id, { channel: general.id });
    expect(visibleText(channelTraining.original)).toContain('Learned 4 lines');
    expect(historyRequests(old.id)).toHaveLength(1);
    expect(historyRequests(older.id)).toHaveLength(1);
    const forumTraining = await trainChannel(guild.id, { channel: forum.id, mode: 'append' });
    expect(visibleText(forumTraining.original)).toContain(`Added 1 line from <#${forum.id}>`);
    expect(t.server.violations).toEqual([]);
  });

  test('channel and files together are refused, as is an empty channel and a bad since', async () => {
    const { guildId, general } = freshGuild();
    const file = t.server.addAttachment('a.txt', 'some words');
    const both = t.server.invoke({
      guildId,
      commandName: 'train',
      options: { channel: general, file1: file },
      memberPermissions: SERVER_MANAGER,
    });
    await both.settled();
    expect(visibleText(both.original)).toContain('not both at once');
    const empty = t.server.invoke({
      guildId,
      commandName: 'train',
      options: { channel: general },
      memberPermissions: SERVER_MANAGER,
    });
    await empty.settled();
    expect(seen(empty)).toMatch(/has no messages by people/);
    const badDate = t.server.invoke({
      guildId,
      commandName: 'train',
      options: { channel: general, since: 'last tuesday' },
      memberPermissions: SERVER_MANAGER,
    });
    await badDate.settled();
    expect(visibleText(badDate.original)).toContain('cannot be “last tuesday”');
  });
});

describe('channel learning switched off', () => {
  test('/train channel without LEARN_FROM_CHANNELS says channel learning is off', async () => {
    const off = await startTestBot({ serverOptions: { guilds: 1, privilegedIntents: ['MessageContent'] } });
    try {
      const channelId = off.server.channelsOf(off.server.guilds[0].id)[0].id;
      const handle = off.server.invoke({
        commandName: 'train',
        options: { channel: channelId },
        memberPermissions: SERVER_MANAGER,
      });
      await handle.settled();
      expect(visibleText(handle.original)).toContain('Learning from channels is off');
      const identify = off.server.gatewayLog.filter((entry) => entry.direction === 'receive' && entry.op === 2);
      expect(identify.length).toBeGreaterThan(0);
    } finally {
      await off.close();
    }
  });

  test('channel learning without the Message Content intent granted logs one clear line and serves commands without it', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const denied = await startTestBot({
      serverOptions: { guilds: 1, privilegedIntents: [] },
      env: { LEARN_FROM_CHANNELS: 'true' },
      bot: { logger: pino({ level: 'error' }, sink) },
    });
    try {
      expect(lines.filter((line) => line.includes('Message Content intent'))).toHaveLength(1);
      expect(denied.server.violations).toEqual([]);
      const channelId = denied.server.channelsOf(denied.server.guilds[0].id)[0].id;
      const handle = denied.server.invoke({
        commandName: 'train',
        options: { channel: channelId },
        memberPermissions: SERVER_MANAGER,
      });
      await handle.settled();
      expect(visibleText(handle.original)).toContain('Learning from channels is off');
    } finally {
      await denied.close();
    }
  });
});
