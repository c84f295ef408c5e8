// End-to-end, around the bot's life: registration, restarts, a dropped gateway, trainings that
// outlive the interaction token, two shards in one data directory.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { startDiscordServer, type DiscordServer } from '../discord/server.js';
import { CORPUS_EN, customIds, isEphemeral, startTestBot, visibleText, type TestBot, ALL_COMMANDS } from './harness.js';

const started: TestBot[] = [];
const servers: DiscordServer[] = [];

async function bot(options: Parameters<typeof startTestBot>[0] = {}): Promise<TestBot> {
  const running = await startTestBot(options);
  started.push(running);
  return running;
}

afterEach(async () => {
  for (const running of started.splice(0)) await running.close({ keepServer: true }).catch(() => undefined);
  for (const server of servers.splice(0)) await server.close();
});

async function server(options: Parameters<typeof startDiscordServer>[0] = {}): Promise<DiscordServer> {
  const created = await startDiscordServer({ guilds: 2, ...options });
  servers.push(created);
  return created;
}

const registrations = (discord: DiscordServer) =>
  discord.requests.filter((request) => request.method === 'PUT' && request.route?.endsWith('/commands'));

describe('registration', () => {
  test('registers at first start, not again when nothing changed, and to DEV_GUILD_ID when set', async () => {
    const discord = await server();
    const first = await bot({ server: discord });
    expect(registrations(discord)).toHaveLength(1);
    await first.close({ keepServer: true, keepDir: true });
    started.splice(started.indexOf(first), 1);

    const second = await bot({ server: discord, dir: first.dir });
    expect(registrations(discord)).toHaveLength(1);
    await second.close({ keepServer: true, keepDir: true });
    started.splice(started.indexOf(second), 1);

    const guildId = discord.guilds[0].id;
    await bot({ server: discord, dir: first.dir, env: { DEV_GUILD_ID: guildId } });
    expect(registrations(discord)).toHaveLength(2);
    expect(
      discord
        .commands(guildId)
        .map((command) => command.name)
        .sort(),
    ).toEqual(ALL_COMMANDS);
  });
});

/** A bot stopped (orderly, folders kept) while a /train it was answering still downloads its file. */
async function stopDuringTraining() {
  const discord = await server();
  const guildId = discord.guilds[0].id;
  const first = await bot({ server: discord, bot: { shutdownGraceMs: 200 } });
  discord.delay(/\/attachments\//, 2_000, { times: 1 });
  const training = discord.invoke({
    guildId,
    commandName: 'train',
    options: { file1: discord.addAttachment('a.txt', CORPUS_EN) },
  });
  await training.firstResponse();
  await first.close({ keepServer: true, keepDir: true });
  started.splice(started.indexOf(first), 1);
  return { discord, guildId, first, training };
}

describe('restarts and connections', () => {
  test('stopping during a training tells the user and closes the job; after a restart the guild is usable', async () => {
    const { discord, guildId, first, training } = await stopDuringTraining();
    await training.waitFor((handle) => handle.followUps.length > 0, { timeoutMs: 5_000 });
    expect(isEphemeral(training.followUps[0])).toBe(true);
    expect(visibleText(training.followUps[0])).toBe('The bot is restarting. Try again in a minute.');

    const second = await bot({ server: discord, dir: first.dir });
    const status = discord.invoke({ guildId, commandName: 'status' });
    await status.settled();
    expect(visibleText(status.original)).toContain('Training\nnone running');
    const again = discord.invoke({
      guildId,
      commandName: 'train',
      options: { file1: discord.addAttachment('b.txt', CORPUS_EN) },
    });
    await again.waitFor((handle) => customIds(handle.original).includes('train:save'), { timeoutMs: 20_000 });
    expect(second.server.violations).toEqual([]);
  });

  test('a training a crash interrupted is told once in its channel after the restart', async () => {
    const { discord, guildId, first, training } = await stopDuringTraining();
    // What a crash leaves instead of an orderly stop: the job row still running (with the channel
    // /train recorded).
    const db = new Database(join(first.dir, 'data', 'ultraefficient.sqlite'));
    const row = db.prepare('SELECT channel_id AS channel FROM jobs WHERE guild_id = ?').get(guildId) as {
      channel: string;
    };
    expect(row.channel).toBe(training.channelId);
    db.prepare(`UPDATE jobs SET state = 'running', finished_at = NULL, notified_at = NULL WHERE guild_id = ?`).run(
      guildId,
    );
    db.close();

    const second = await bot({ server: discord, dir: first.dir });
    const notice = await discord.waitFor(
      (s) => s.channelMessages(training.channelId).find((message) => message.kind === 'channel'),
      { timeoutMs: 20_000 },
    );
    expect(visibleText(notice)).toMatch(/^The training Tester started on \d{4}-\d{2}-\d{2} was interrupted/);
    expect(visibleText(notice)).toContain('Run `/train` again.');
    await second.close({ keepServer: true, keepDir: true });
    started.splice(started.indexOf(second), 1);
    // A later start does not tell it again.
    const third = await bot({ server: discord, dir: first.dir });
    const status = discord.invoke({ guildId, commandName: 'status' });
    await status.settled();
    expect(visibleText(status.original)).toContain('Interrupted training');
    expect(discord.channelMessages(training.channelId).filter((message) => message.kind === 'channel')).toHaveLength(1);
    expect(third.server.violations).toEqual([]);
  });

  test('a Save button from before a restart answers that the question expired', async () => {
    const discord = await server();
    const guildId = discord.guilds[0].id;
    const first = await bot({ server: discord });
    const training = discord.invoke({
      guildId,
      commandName: 'train',
      options: { file1: discord.addAttachment('a.txt', CORPUS_EN) },
    });
    await training.waitFor((handle) => customIds(handle.original).includes('train:save'), { timeoutMs: 20_000 });
    // A crash, not a clean stop: the button stays on the message.
    first.bot.client.removeAllListeners('interactionCreate');
    await first.bot.client.destroy();
    await bot({ server: discord, dir: first.dir });
    const press = training.click('train:save');
    await press.settled();
    expect(isEphemeral(press.original)).toBe(true);
    expect(visibleText(press.original)).toBe('This question expired. Run the command again.');
  });

  test('a dropped gateway connection during a training resumes, and the result still arrives', async () => {
    const discord = await server();
    const guildId = discord.guilds[0].id;
    await bot({ server: discord });
    discord.delay(/\/attachments\//, 1_000, { times: 1 });
    const training = discord.invoke({
      guildId,
      commandName: 'train',
      options: { file1: discord.addAttachment('a.txt', CORPUS_EN) },
    });
    await training.firstResponse();
    expect(discord.dropConnection(0)).toBe(1);
    await discord.waitForResume(0, { timeoutMs: 10_000 });
    await training.waitFor((handle) => customIds(handle.original).includes('train:save'), { timeoutMs: 20_000 });
    const status = discord.invoke({ guildId, commandName: 'status' });
    await status.settled();
    expect(visibleText(status.original)).toContain('not saved');
    expect(discord.violations).toEqual([]);
  });

  test('a training that outlives the 15-minute token posts its result in the channel', async () => {
    const discord = await server();
    const guildId = discord.guilds[0].id;
    let offset = 0;
    await bot({ server: discord, bot: { adapter: { now: () => Date.now() + offset, componentTimeout: (ms) => ms } } });
    discord.delay(/\/attachments\//, 1_000, { times: 1 });
    const training = discord.invoke({
      guildId,
      commandName: 'train',
      options: { file1: discord.addAttachment('a.txt', CORPUS_EN) },
    });
    await training.firstResponse();
    offset = 15 * 60_000 + 1_000;
    discord.advanceClock(offset);
    const channelId = training.channelId;
    const posted = await discord.waitFor(
      (s) => s.channelMessages(channelId).find((message) => message.kind === 'channel'),
      { timeoutMs: 20_000 },
    );
    expect(visibleText(posted)).toContain('Training started by Tester finished. 8 lines learned.');
    expect(customIds(posted)).toEqual([]);
    expect(discord.violations).toEqual([]);
  });
});

describe('sharding', () => {
  test('two shards share one data directory; each answers its own guilds and only shard 0 registers', async () => {
    const discord = await server({ guilds: 4, shardsRecommended: 2 });
    const shard0 = await bot({ server: discord, bot: { client: { shards: [0], shardCount: 2 } } });
    await bot({ server: discord, dir: shard0.dir, bot: { client: { shards: [1], shardCount: 2 } } });
    expect(registrations(discord)).toHaveLength(1);
    const onShard = (shard: number) => discord.guildsOnShard(shard, 2)[0].id;
    const handles = [0, 1].map((shard) =>
      discord.invoke({
        guildId: onShard(shard),
        commandName: 'train',
        options: { file1: discord.addAttachment(`s${shard}.txt`, CORPUS_EN) },
      }),
    );
    for (const handle of handles)
      await handle.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
    expect(handles.map((handle) => handle.shardId)).toEqual([0, 1]);
    for (const shard of [0, 1]) {
      const save = discord.invoke({ guildId: onShard(shard), commandName: 'save', options: { name: `shard${shard}` } });
      await save.settled();
      expect(visibleText(save.original)).toContain('Model saved');
    }
    const models = discord.invoke({ guildId: onShard(1), commandName: 'models' });
    await models.settled();
    expect(visibleText(models.original)).toContain('shard1');
    expect(visibleText(models.original)).not.toContain('shard0');
    expect(discord.violations).toEqual([]);
  });
});
