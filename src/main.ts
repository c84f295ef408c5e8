// `npm start`: the Discord bot when DISCORD_TOKEN is set, the local console otherwise (same
// commands, same models, no Discord needed). Shard processes started by `npm run start:sharded`
// run this file too; discord.js reads their shard ids from the environment.
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from './config/index.js';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number | null> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    // The bot and the console apply one rule: any invalid value stops start-up, every problem
    // listed (a console that ran on would silently use defaults for the valid values too).
    if (error instanceof ConfigError) {
      process.stderr.write(error.report());
      return 1;
    }
    throw error;
  }
  if (!config.token) return runLocalConsole(argv);

  const { startBot } = await import('./discord/bot.js');
  const { onShutdownSignals } = await import('./discord/signals.js');
  const bot = await startBot({ config });
  onShutdownSignals((signal) => bot.stop(signal), bot.logger);
  try {
    await bot.ready;
  } catch (error) {
    process.stderr.write(`The bot could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  // Keep running until a signal stops the bot; the exit code comes from the signal handler.
  return null;
}

async function runLocalConsole(argv: readonly string[]): Promise<number> {
  // Loaded only without a token, so the bot never pays for the console's modules.
  const [{ runConsole }, { loadCommands }] = await Promise.all([
    import('./console/index.js'),
    import('./commands/loader.js'),
  ]);
  const registry = await loadCommands();
  return runConsole({ argv, commands: registry.modules });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => {
      if (code !== null) process.exitCode = code;
    },
    (error: unknown) => {
      // A refusal of the data folders (a restore at work on them) is one sentence, not a stack.
      const refusal = error instanceof Error && error.name === 'SnapshotError';
      process.stderr.write(
        `${error instanceof Error ? (refusal ? error.message : (error.stack ?? error.message)) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
