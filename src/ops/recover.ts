// `npm run recover`: registers the saved model files the database has no record of (after a lost
// database), from what each file carries (src/manager/recover.ts). Safe while the bot runs: each
// server's folder is handled under that server's lease. Exit code 0 when it ran, 1 on failure.
import { describeRecovery, recoverModels } from '../manager/recover.js';
import { dataPaths } from '../store/index.js';
import { operatorConfig, runScript } from './cli.js';

export async function main(): Promise<number> {
  const config = await operatorConfig();
  if (!config) return 1;
  const report = await recoverModels({
    dataDir: config.dataDir,
    modelsDir: config.modelsDir,
    databasePath: dataPaths(config).database,
  });
  process.stdout.write(`${describeRecovery(report).join('\n')}\n`);
  return 0;
}

runScript(import.meta.url, 'recover', main);
