// The entry points as operators run them: `npm start` (bot with a token, console without) and
// `npm run start:sharded`, as real processes against the local Discord server, stopped by SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startDiscordServer, type DiscordServer } from '../discord/server.js';
import { visibleText } from './harness.js';

const ROOT = process.cwd();
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function run(
  script: string,
  env: Record<string, string>,
  input?: string,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const dir = mkdtempSync(join(tmpdir(), 'ultra-proc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(TSX, [script], {
    cwd: ROOT,
    // No .env of the developer's may leak in: point dotenv at a file that does not exist.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      DATA_DIR: join(dir, 'data'),
      MODELS_DIR: join(dir, 'models'),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  if (input !== undefined) child.stdin!.end(input);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function discord(options: Parameters<typeof startDiscordServer>[0] = {}): Promise<DiscordServer> {
  const server = await startDiscordServer({ guilds: 2, ...options });
  cleanups.push(() => server.close());
  return server;
}

describe('npm start', () => {
  test('with a token it runs the bot, answers commands, and stops cleanly on SIGTERM', async () => {
    const server = await discord();
    const bot = run('src/main.ts', { DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiBase });
    await server.waitFor((s) => s.commands().length === 14, { timeoutMs: 30_000 });
    const status = server.invoke({ commandName: 'status' });
    await status.settled();
    expect(visibleText(status.original)).toContain('Active model');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('"msg":"stopped"');
  });

  test('a bad setting stops it with a message naming the variable', async () => {
    const bot = run('src/main.ts', { DISCORD_TOKEN: 'x', SHARDS: 'lots' });
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toContain('SHARDS: must be "auto" or a number of shards from 1 to 1000; got "lots"');
  });

  test('without a token it hands over to the local console', async () => {
    const console = run('src/main.ts', { DISCORD_TOKEN: '' }, '/status\n');
    expect(await console.exited).toBe(0);
    expect(console.output()).toMatch(/Active model|Modelo activo/);
  });
});

describe('npm run start:sharded', () => {
  test('runs one process per shard; both answer; SIGTERM stops them all', async () => {
    const server = await discord({ guilds: 4, shardsRecommended: 2 });
    const sharded = run('src/discord/sharded.ts', {
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiBase,
      SHARDS: 'auto',
    });
    await server.waitFor(
      (s) => s.shardStatus().filter((shard) => shard.connected).length === 2 && s.commands().length === 14,
      { timeoutMs: 60_000 },
    );
    for (const shard of [0, 1]) {
      const handle = server.invoke({ guildId: server.guildsOnShard(shard, 2)[0].id, commandName: 'status' });
      await handle.settled();
      expect(handle.shardId).toBe(shard);
      expect(visibleText(handle.original)).toContain('Active model');
    }
    sharded.child.kill('SIGTERM');
    expect(await sharded.exited).toBe(0);
    expect(sharded.output().match(/"msg":"stopped"/g)).toHaveLength(2);
    expect(server.violations).toEqual([]);
  }, 90_000);
});
