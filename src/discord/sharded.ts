// `npm run start:sharded`: one process per shard under discord.js's ShardingManager, each
// running src/main.ts with its shard ids in the environment. All shards share the SQLite file
// (WAL) and the models directory; a guild belongs to exactly one shard, so per-guild state needs
// no locking across processes. SHARDS sets the count; "auto" asks the API for its recommendation.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { Routes, ShardingManager } from 'discord.js';
import { ConfigError, loadConfig, type BotConfig } from '../config/index.js';
import { createLogger, type Logger } from './logger.js';
import { restFor } from './registration.js';

/** The shard entry: this same tree's main, as TypeScript under tsx or compiled JavaScript. */
function shardEntry(): { file: string; execArgv: string[] } {
  const runningTypeScript = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(runningTypeScript ? '../main.ts' : '../main.js', import.meta.url));
  return { file, execArgv: runningTypeScript ? ['--import', 'tsx'] : [] };
}

/** discord.js's own "auto" asks discord.com; asking through our REST honours DISCORD_API_URL. */
export async function recommendedShardCount(config: BotConfig): Promise<number> {
  const gateway = (await restFor(config.token!, config.apiUrl).get(Routes.gatewayBot())) as { shards: number };
  return Math.max(1, gateway.shards);
}

export interface ShardedBot {
  manager: ShardingManager;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startSharded(config: BotConfig, logger: Logger): Promise<ShardedBot> {
  if (!config.token) throw new Error('DISCORD_TOKEN is not set: sharding is only for the Discord bot');
  const totalShards = config.shards === 'auto' ? await recommendedShardCount(config) : config.shards;
  const { file, execArgv } = shardEntry();
  const manager = new ShardingManager(file, {
    token: config.token,
    totalShards,
    execArgv,
    respawn: true,
    mode: 'process',
  });
  manager.on('shardCreate', (shard) => {
    logger.info({ shardId: shard.id, totalShards }, 'shard starting');
    shard.on('death', () => logger.warn({ shardId: shard.id }, 'shard process exited'));
    // Without a listener a shard's error event would crash the manager process.
    shard.on('error', (error) => logger.error({ err: error, shardId: shard.id }, 'shard error'));
  });
  await manager.spawn({ amount: totalShards, delay: 0, timeout: 60_000 });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    manager.respawn = false;
    // Each shard stops gracefully on its own signal (see src/discord/signals.ts).
    await Promise.all(
      [...manager.shards.values()].map(async (shard) => {
        const child = shard.process;
        if (!child || child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.kill(signal);
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }),
    );
  };
  return { manager, stop };
}

async function runFromCommandLine(): Promise<void> {
  let config: BotConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  if (!config.token) {
    process.stderr.write(
      'DISCORD_TOKEN is not set: `npm run start:sharded` runs the Discord bot only (use `npm start` for the console).\n',
    );
    process.exitCode = 1;
    return;
  }
  const logger = createLogger(config.logLevel, { role: 'shard-manager' });
  const sharded = await startSharded(config, logger);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping shards');
    void sharded.stop(signal).then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runFromCommandLine().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
