import { once } from 'node:events';
import { Events, GatewayIntentBits, type Client, type Interaction } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLIENT_READY_EVENT, createClient, loginClient } from './harness.js';
import { startDiscordServer, type DiscordServer } from './server.js';
import { shardOf } from './snowflake.js';

let server: DiscordServer | undefined;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof startDiscordServer>[0] = {}): Promise<DiscordServer> {
  server = await startDiscordServer(options);
  return server;
}

async function login(target: DiscordServer, options: Parameters<typeof loginClient>[1] = {}): Promise<Client> {
  const client = await loginClient(target, options);
  clients.push(client);
  return client;
}

/** A bare gateway connection, to check the protocol below what discord.js shows. */
async function rawConnection(target: DiscordServer, url = `${target.gatewayUrl}?v=10&encoding=json`) {
  const socket = new WebSocket(url);
  const inbox: Record<string, unknown>[] = [];
  const waiting: ((payload: Record<string, unknown>) => void)[] = [];
  socket.on('message', (data) => {
    const payload = JSON.parse(data.toString()) as Record<string, unknown>;
    const resolve = waiting.shift();
    if (resolve) resolve(payload);
    else inbox.push(payload);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await once(socket, 'open');
  return {
    socket,
    closed,
    next: () =>
      inbox.length > 0
        ? Promise.resolve(inbox.shift()!)
        : new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve)),
    send: (payload: unknown) => socket.send(JSON.stringify(payload)),
  };
}

/** A bot that answers /ping with the shard it got the interaction on. */
function answerPing(client: Client) {
  client.on(Events.InteractionCreate, async (interaction: Interaction) => {
    if (interaction.isChatInputCommand() && interaction.commandName === 'ping') {
      await interaction.reply(`pong from shard ${interaction.guild?.shardId}`);
    }
  });
}

describe('login', () => {
  it('becomes ready on one shard with every guild available', async () => {
    const target = await start({ guilds: 3 });
    const started = Date.now();
    const client = await login(target);
    // Well under discord.js's 15 s wait for guilds that never arrive.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(client.isReady()).toBe(true);
    expect(client.user?.id).toBe(target.applicationId);
    expect(client.application?.id).toBe(target.applicationId);
    expect([...client.guilds.cache.keys()].sort()).toEqual(target.guilds.map((guild) => guild.id).sort());
    expect(client.guilds.cache.every((guild) => guild.available && guild.channels.cache.size === 1)).toBe(true);
    expect(CLIENT_READY_EVENT).toBe('clientReady');

    const gatewayBot = target.requests.find((request) => request.route === '/gateway/bot');
    expect(gatewayBot?.status).toBe(200);
    expect(gatewayBot?.response).toEqual({
      url: target.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: 16 },
    });
    const dispatched = target.gatewayLog
      .filter((entry) => entry.direction === 'send' && entry.op === 0)
      .map((entry) => [entry.t, entry.s]);
    expect(dispatched).toEqual([
      ['READY', 1],
      ['GUILD_CREATE', 2],
      ['GUILD_CREATE', 3],
      ['GUILD_CREATE', 4],
    ]);
    expect(target.violations).toEqual([]);
  });

  it('logs in on 4 shards and dispatches each guild to shard (id >> 22) % 4', async () => {
    const target = await start({ guilds: 8, shardsRecommended: 4 });
    // shards: 'auto' takes the count from GET /gateway/bot.
    const client = await login(target, { shards: 'auto' });
    answerPing(client);
    expect(client.ws.shards.size).toBe(4);
    expect(target.shardStatus().map((shard) => [shard.shardId, shard.shardCount, shard.connected])).toEqual([
      [0, 4, true],
      [1, 4, true],
      [2, 4, true],
      [3, 4, true],
    ]);
    for (let shardId = 0; shardId < 4; shardId += 1) expect(target.guildsOnShard(shardId, 4)).toHaveLength(2);
    for (const guild of target.guilds) {
      expect(client.guilds.cache.get(guild.id)?.shardId).toBe(shardOf(guild.id, 4));
      const handle = target.invoke({ guildId: guild.id, commandName: 'ping' });
      expect(handle.shardId).toBe(shardOf(guild.id, 4));
      const { original } = await handle.settled({ quietMs: 10 });
      expect(original?.content).toBe(`pong from shard ${shardOf(guild.id, 4)}`);
    }
    target.assertNoViolations();
  });

  it('honours an explicit shard list and count from the client', async () => {
    const target = await start({ guilds: 4 });
    const client = await login(target, { shards: [0, 1], shardCount: 2 });
    expect(target.shardStatus().map((shard) => shard.shardId)).toEqual([0, 1]);
    expect(client.guilds.cache.size).toBe(4);
  });

  it('refuses a wrong token with 401 before the gateway', async () => {
    const target = await start();
    const client = createClient(target);
    clients.push(client);
    await expect(client.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(target.violations.map((violation) => [violation.rule, violation.status, violation.path])).toEqual([
      ['UNAUTHORIZED', 401, '/gateway/bot'],
    ]);
  });

  it('closes with 4014 when a privileged intent was not granted, and accepts it once granted', async () => {
    const target = await start();
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers];
    const refused = createClient(target, { intents });
    clients.push(refused);
    await expect(refused.login(target.token)).rejects.toThrow('Used disallowed intents');
    expect(target.violations.map((violation) => [violation.rule, violation.status])).toEqual([
      ['GATEWAY_DISALLOWED_INTENTS', 4014],
    ]);

    const granted = await start({ privilegedIntents: ['GuildMembers'] });
    const client = await login(granted, { intents });
    expect(client.isReady()).toBe(true);
  });
});

describe('guilds', () => {
  it('sends GUILD_CREATE to the right shard when the bot joins a guild', async () => {
    const target = await start({ guilds: 2, shardsRecommended: 2 });
    const client = await login(target, { shards: 'auto' });
    const joined = once(client, Events.GuildCreate);
    const guild = target.addGuild({ name: 'Newcomer' });
    const [created] = (await joined) as [{ id: string; name: string; shardId: number }];
    expect([created.id, created.name, created.shardId]).toEqual([guild.id, 'Newcomer', shardOf(guild.id, 2)]);
  });
});

describe('gateway protocol', () => {
  it('says HELLO, acks heartbeats and closes 4004 on a bad token', async () => {
    const target = await start({ heartbeatIntervalMs: 1000 });
    const connection = await rawConnection(target);
    expect(await connection.next()).toEqual({
      op: 10,
      d: { heartbeat_interval: 1000, _trace: ['fake-discord'] },
      t: null,
      s: null,
    });
    connection.send({ op: 1, d: null });
    expect(await connection.next()).toEqual({ op: 11, d: null, t: null, s: null });
    connection.send({ op: 2, d: { token: 'wrong', intents: 1, properties: {}, shard: [0, 1] } });
    expect(await connection.closed).toBe(4004);
    expect(target.violations.map((violation) => violation.rule)).toEqual(['GATEWAY_AUTHENTICATION_FAILED']);
  });

  it('sends READY with what discord.js needs, then GUILD_CREATE with channels', async () => {
    const target = await start({
      guilds: [{ name: 'Alpha', locale: 'es-ES', channels: [{ name: 'general' }, { name: 'bots' }] }],
    });
    const connection = await rawConnection(target);
    await connection.next();
    connection.send({ op: 2, d: { token: target.token, intents: 1, properties: {}, shard: [0, 1] } });
    const ready = (await connection.next()) as { t: string; s: number; d: Record<string, unknown> };
    expect(ready.t).toBe('READY');
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({
      v: 10,
      user: { id: target.applicationId, bot: true },
      application: { id: target.applicationId },
      guilds: [{ id: target.guilds[0].id, unavailable: true }],
      resume_gateway_url: `${target.gatewayUrl}/resume`,
      shard: [0, 1],
    });
    expect(ready.d.session_id).toMatch(/^[0-9a-f]{32}$/);
    const guildCreate = (await connection.next()) as { t: string; d: Record<string, unknown> };
    expect(guildCreate.t).toBe('GUILD_CREATE');
    expect(guildCreate.d).toMatchObject({
      id: target.guilds[0].id,
      name: 'Alpha',
      preferred_locale: 'es-ES',
      unavailable: false,
    });
    expect((guildCreate.d.channels as { name: string }[]).map((channel) => channel.name)).toEqual(['general', 'bots']);
    connection.socket.close(1000);
  });

  it('refuses an invalid shard, unknown intents and a second identify', async () => {
    const target = await start();
    const identify = async (d: Record<string, unknown>, twice = false) => {
      const connection = await rawConnection(target);
      await connection.next();
      connection.send({ op: 2, d: { token: target.token, properties: {}, ...d } });
      if (twice) connection.send({ op: 2, d: { token: target.token, properties: {}, ...d } });
      return connection.closed;
    };
    expect(await identify({ intents: 1, shard: [2, 2] })).toBe(4010);
    expect(await identify({ intents: 1 << 30, shard: [0, 1] })).toBe(4013);
    expect(await identify({ intents: 1, shard: [0, 1] }, true)).toBe(4005);
    expect(target.violations.map((violation) => violation.rule)).toEqual([
      'GATEWAY_INVALID_SHARD',
      'GATEWAY_INVALID_INTENTS',
      'GATEWAY_ALREADY_AUTHENTICATED',
    ]);
  });

  it('answers a resume of an unknown session with op 9', async () => {
    const target = await start();
    const connection = await rawConnection(target, `${target.gatewayUrl}/resume?v=10&encoding=json`);
    await connection.next();
    connection.send({ op: 6, d: { token: target.token, session_id: 'nope', seq: 3 } });
    expect(await connection.next()).toEqual({ op: 9, d: false, t: null, s: null });
    connection.socket.close(1000);
    expect(target.violations.map((violation) => violation.rule)).toEqual(['GATEWAY_INVALID_SESSION']);
  });
});

describe('resume', () => {
  it('resumes after a dropped connection and replays the dispatches it missed', async () => {
    const target = await start({ guilds: 2 });
    const client = await login(target);
    answerPing(client);
    const resumed = once(client, Events.ShardResume);
    expect(target.dropConnection()).toBe(1);
    // Dispatched while the connection is down: only the resume can deliver it.
    const handle = target.invoke({ commandName: 'ping' });
    await resumed;
    const { original } = await handle.settled({ quietMs: 10 });
    expect(original?.content).toBe('pong from shard 0');
    expect(target.shardStatus()).toMatchObject([{ shardId: 0, connected: true, resumes: 1 }]);
    const received = target.gatewayLog.filter((entry) => entry.direction === 'receive').map((entry) => entry.op);
    expect(received.filter((op) => op === 2)).toHaveLength(1);
    expect(received.filter((op) => op === 6)).toHaveLength(1);
    const afterResume = target.gatewayLog.slice(target.gatewayLog.findIndex((entry) => entry.op === 6));
    expect(afterResume.filter((entry) => entry.direction === 'send' && entry.op === 0).map((entry) => entry.t)).toEqual(
      ['INTERACTION_CREATE', 'RESUMED'],
    );
    target.assertNoViolations();
  });

  it('resumes when asked to reconnect (op 7), on the shard that was asked', async () => {
    const target = await start({ guilds: 4, shardsRecommended: 2 });
    const client = await login(target, { shards: 'auto' });
    answerPing(client);
    expect(target.requestReconnect(1)).toBe(1);
    await target.waitForResume(1);
    expect(target.shardStatus().map((shard) => shard.resumes)).toEqual([0, 1]);
    const guild = target.guildsOnShard(1, 2)[0];
    const { original } = await target.invoke({ guildId: guild.id, commandName: 'ping' }).settled({ quietMs: 10 });
    expect(original?.content).toBe('pong from shard 1');
  });
});
