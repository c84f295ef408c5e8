import {
  Events,
  GatewayIntentBits,
  PermissionFlagsBits,
  type Client,
  type Message,
  type PartialMessage,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loginClient } from './harness.js';
import { startDiscordServer, type DiscordServer, type DiscordServerOptions } from './server.js';

let server: DiscordServer | undefined;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await server?.close();
  server = undefined;
});

const READING = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent];

async function start(
  options: DiscordServerOptions = {},
  intents: number[] = READING,
): Promise<{ server: DiscordServer; client: Client; channelId: string }> {
  server = await startDiscordServer({ privilegedIntents: ['MessageContent'], ...options });
  const client = await loginClient(server, { intents });
  clients.push(client);
  return { server, client, channelId: server.channelsOf(server.guilds[0].id)[0].id };
}

async function raw(target: DiscordServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${target.apiBase}/v10${path}`, {
    method,
    headers: { authorization: `Bot ${target.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: response.status === 204 ? null : ((await response.json()) as unknown),
  };
}

describe('channel history (GET /channels/{id}/messages)', () => {
  it('pages a channel newest first with before, after and limit', async () => {
    const { server: target, client, channelId } = await start();
    const seeded = target.seedHistory(
      channelId,
      Array.from({ length: 250 }, (_, i) => ({ content: `message ${i}`, at: Date.UTC(2024, 0, 1) + i * 60_000 })),
    );
    const first = (await client.rest.get(`/channels/${channelId}/messages`, {
      query: new URLSearchParams({ limit: '100' }),
    })) as { id: string; content: string }[];
    expect(first).toHaveLength(100);
    expect(first[0].content).toBe('message 249');
    expect(first[99].content).toBe('message 150');
    const all: string[] = first.map((message) => message.content);
    let before = first[first.length - 1].id;
    for (;;) {
      const page = (await client.rest.get(`/channels/${channelId}/messages`, {
        query: new URLSearchParams({ limit: '100', before }),
      })) as { id: string; content: string }[];
      if (page.length === 0) break;
      all.push(...page.map((message) => message.content));
      before = page[page.length - 1].id;
    }
    expect(all).toEqual(seeded.map((message) => message.content).reverse());
    const after = (await client.rest.get(`/channels/${channelId}/messages`, {
      query: new URLSearchParams({ limit: '3', after: seeded[10].id }),
    })) as { content: string }[];
    expect(after.map((message) => message.content)).toEqual(['message 13', 'message 12', 'message 11']);
    const defaultPage = (await client.rest.get(`/channels/${channelId}/messages`)) as unknown[];
    expect(defaultPage).toHaveLength(50);
    const tooMany = await raw(target, 'GET', `/channels/${channelId}/messages?limit=101`);
    expect(tooMany.status).toBe(400);
    expect((tooMany.body as { code: number }).code).toBe(50035);
  });

  it('refuses a channel without View Channel and shows nothing without Read Message History', async () => {
    const { server: target } = await start({
      guilds: [
        {
          channels: [
            { name: 'secret', botDenied: ['ViewChannel'] },
            { name: 'no-history', botDenied: ['ReadMessageHistory'] },
            { name: 'open' },
          ],
        },
      ],
    });
    const [secret, noHistory] = target.channelsOf(target.guilds[0].id);
    target.seedHistory(secret.id, [{ content: 'hidden' }]);
    target.seedHistory(noHistory.id, [{ content: 'old' }]);
    const refused = await raw(target, 'GET', `/channels/${secret.id}/messages`);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ code: 50001, message: 'Missing Access' });
    const empty = await raw(target, 'GET', `/channels/${noHistory.id}/messages`);
    expect(empty).toMatchObject({ status: 200, body: [] });
    expect(target.violations.map((violation) => violation.rule)).toEqual(['MISSING_ACCESS']);
  });

  it('shows the denied permissions to discord.js through the channel overwrites, threads inheriting them', async () => {
    const { server: target, client } = await start({
      guilds: [
        {
          channels: [
            { id: '1200000000000000001', name: 'locked', botDenied: ['ReadMessageHistory'] },
            { name: 'talk', type: 11, parentId: '1200000000000000001' },
          ],
        },
      ],
    });
    const [locked, thread] = target.channelsOf(target.guilds[0].id);
    const cachedThread = client.channels.cache.get(thread.id);
    expect(cachedThread?.isThread()).toBe(true);
    const guild = client.guilds.cache.get(target.guilds[0].id)!;
    const me = guild.members.me!;
    const lockedChannel = guild.channels.cache.get(locked.id)!;
    expect(lockedChannel.permissionsFor(me).has(PermissionFlagsBits.ViewChannel)).toBe(true);
    expect(lockedChannel.permissionsFor(me).has(PermissionFlagsBits.ReadMessageHistory)).toBe(false);
    target.seedHistory(thread.id, [{ content: 'in the thread' }]);
    expect((await raw(target, 'GET', `/channels/${thread.id}/messages`)).body).toEqual([]);
  });
});

describe('message dispatches and the Message Content intent', () => {
  it('sends MESSAGE_CREATE, MESSAGE_UPDATE and MESSAGE_DELETE with content to a bot that has the intent', async () => {
    const { server: target, client, channelId } = await start();
    const created: Message[] = [];
    const updated: (Message | PartialMessage)[] = [];
    const deleted: string[] = [];
    client.on(Events.MessageCreate, (message) => created.push(message));
    client.on(Events.MessageUpdate, (_old, message) => updated.push(message));
    client.on(Events.MessageDelete, (message) => deleted.push(message.id));
    const posted = target.postMessage({
      channelId,
      content: 'hello there',
      author: { id: '1300000000000000001', username: 'ana' },
    });
    await target.waitFor(() => created.length === 1);
    expect(created[0]).toMatchObject({ id: posted.id, content: 'hello there', channelId });
    expect(created[0].author).toMatchObject({ id: '1300000000000000001', username: 'ana', bot: false });
    target.editUserMessage(posted.id, 'hello again');
    await target.waitFor(() => updated.length === 1);
    expect(updated[0]).toMatchObject({ id: posted.id, content: 'hello again' });
    target.deleteUserMessage(posted.id);
    await target.waitFor(() => deleted.length === 1);
    expect(deleted).toEqual([posted.id]);
    expect(await raw(target, 'GET', `/channels/${channelId}/messages`)).toMatchObject({ body: [] });
  });

  it('empties content without the Message Content intent, except in messages that mention the bot', async () => {
    const {
      server: target,
      client,
      channelId,
    } = await start({}, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const created: Message[] = [];
    client.on(Events.MessageCreate, (message) => created.push(message));
    target.postMessage({ channelId, content: 'secret words' });
    target.postMessage({ channelId, content: `<@${target.applicationId}> hi bot` });
    await target.waitFor(() => created.length === 2);
    expect(created.map((message) => message.content)).toEqual(['', `<@${target.applicationId}> hi bot`]);
    expect(created[1].mentions.users.has(target.applicationId)).toBe(true);
  });

  it('empties content in the history when the application was not granted the intent', async () => {
    const { server: target, channelId } = await start({ privilegedIntents: [] }, [GatewayIntentBits.Guilds]);
    target.seedHistory(channelId, [{ content: 'words' }]);
    const history = (await raw(target, 'GET', `/channels/${channelId}/messages`)).body as { content: string }[];
    expect(history.map((message) => message.content)).toEqual(['']);
  });

  it('sends no message events to a bot without the GuildMessages intent', async () => {
    const { server: target, client, channelId } = await start({}, [GatewayIntentBits.Guilds]);
    let events = 0;
    client.on(Events.MessageCreate, () => (events += 1));
    target.postMessage({ channelId, content: 'anyone?' });
    // A later dispatch the client does receive proves the first one was not merely slow.
    const guild = target.addGuild({ name: 'later' });
    await target.waitFor(() => client.guilds.cache.has(guild.id));
    expect(events).toBe(0);
    expect(target.gatewayLog.filter((entry) => entry.t === 'MESSAGE_CREATE')).toHaveLength(0);
  });
});

describe('messages the bot creates in channels', () => {
  it('dispatches the bot its own message and rate limits the sixth message within 5 seconds', async () => {
    const { server: target, client, channelId } = await start();
    const created: Message[] = [];
    client.on(Events.MessageCreate, (message) => created.push(message));
    for (let i = 0; i < 5; i += 1) {
      const sent = await raw(target, 'POST', `/channels/${channelId}/messages`, { content: `bot ${i}` });
      expect(sent.status).toBe(200);
      expect(sent.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
    }
    const limited = await raw(target, 'POST', `/channels/${channelId}/messages`, { content: 'bot 5' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ code: 20028, global: false });
    expect(target.violations.map((violation) => violation.rule)).toEqual(['RATE_LIMITED']);
    target.advanceClock(5_000);
    expect((await raw(target, 'POST', `/channels/${channelId}/messages`, { content: 'bot 6' })).status).toBe(200);
    await target.waitFor(() => created.length === 6);
    expect(created.every((message) => message.author.id === target.applicationId && message.author.bot)).toBe(true);
    const history = (await raw(target, 'GET', `/channels/${channelId}/messages?limit=2`)).body as { content: string }[];
    expect(history.map((message) => message.content)).toEqual(['bot 6', 'bot 4']);
  });

  it('lets discord.js pace itself by the bucket headers instead of hitting the limit', async () => {
    const { server: target, client, channelId } = await start();
    const channel = client.channels.cache.get(channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => channel.send({ content: `paced ${i}`, allowedMentions: { parse: [] } })),
    );
    expect(target.channelMessages(channelId)).toHaveLength(5);
    target.assertNoViolations();
  });

  it('refuses a channel where the bot may not send messages', async () => {
    const { server: target } = await start({
      guilds: [{ channels: [{ name: 'read-only', botDenied: ['SendMessages'] }] }],
    });
    const [channel] = target.channelsOf(target.guilds[0].id);
    const refused = await raw(target, 'POST', `/channels/${channel.id}/messages`, { content: 'hi' });
    expect(refused).toMatchObject({ status: 403, body: { code: 50013, message: 'Missing Permissions' } });
  });
});
