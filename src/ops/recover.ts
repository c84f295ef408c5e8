// `npm run recover`: registers the saved model files the database has no record of (after a lost
// database), from what each file carries (src/manager/recover.ts). Safe while the bot runs: each
// server's folder is handled under that server's lease. Exit code 0 when it ran, 1 on failure.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../discord/config.js';
import { DATABASE_FILENAME } from '../manager/index.js';
import { describeRecovery, recoverModels } from '../manager/recover.js';

export async function main(): Promise<number> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.report());
      return 1;
    }
    throw error;
  }
  const report = await recoverModels({
    dataDir: config.dataDir,
    modelsDir: config.modelsDir,
    databasePath: join(config.dataDir, DATABASE_FILENAME),
  });
  process.stdout.write(`${describeRecovery(report).join('\n')}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`recover: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
