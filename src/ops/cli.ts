// What the operator scripts (npm run backup, restore, recover) share: the bot's configuration
// (.env and the environment, the same checks), and one way to end.
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type BotConfig } from '../config/index.js';

export async function operatorConfig(): Promise<BotConfig | null> {
  try {
    return await loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.report());
      return null;
    }
    throw error;
  }
}

/** Runs `main` when `moduleUrl` is the script node started; its number is the exit code. */
export function runScript(moduleUrl: string, name: string, main: () => Promise<number>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
