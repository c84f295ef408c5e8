// What the console shares with the bot: the command files, the configuration (.env), the
// manager, the database and the models directory — so a model trained in the console is there
// when the bot starts, and back.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { pino } from 'pino';
import type { CommandModule } from '../commands/context.js';
import { loadCommands } from '../commands/loader.js';
import { loadConfig, managerConfigFor, parseConfig, type BotConfig } from '../config/index.js';
import { ModelManager } from '../manager/index.js';
import { dataPaths } from '../store/index.js';
import type { ManagerConfig, ManagerLogger, ModelManagerApi } from '../manager/types.js';

export interface ConsoleSetup {
  managerConfig: ManagerConfig;
  /** As the greeting shows them: relative to where the console started when inside it. */
  shownDataDir: string;
  shownModelsDir: string;
}

function shown(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? `./${inside}` : path;
}

/**
 * The bot's configuration (DATA_DIR, MODELS_DIR, limits, workers) with the console's flags on
 * top. `readDotenv` reads .env first, as the bot does; tests pass their own environment instead.
 * Throws the bot's ConfigError (every invalid value listed): the console runs on the same rule.
 */
export async function consoleSetup(
  env: NodeJS.ProcessEnv,
  given: { dataDir?: string; modelsDir?: string; cwd: string; readDotenv: boolean },
): Promise<ConsoleSetup> {
  const config: BotConfig = given.readDotenv ? await loadConfig({ cwd: given.cwd, env }) : parseConfig(env, given.cwd);
  const dataDir = resolve(given.cwd, given.dataDir ?? config.dataDir);
  const modelsDir = resolve(given.cwd, given.modelsDir ?? config.modelsDir);
  const managerConfig = managerConfigFor(config, { dataDir, modelsDir });
  return { managerConfig, shownDataDir: shown(dataDir, given.cwd), shownModelsDir: shown(modelsDir, given.cwd) };
}

export function openConsoleManager(config: ManagerConfig): Promise<ModelManagerApi> {
  return ModelManager.open({ ...config, logger: config.logger ?? consoleLogger(dataPaths(config).consoleLog) });
}

/**
 * The manager's operator lines (start-up reconcile, a lost database), as JSON lines appended to
 * the console's log file. Each line opens the file anew, so a data folder removed under the
 * console is made again and the line is not written into a deleted file.
 */
function consoleLogger(file: string): ManagerLogger {
  return pino(
    { level: 'info', base: { source: 'manager' }, timestamp: pino.stdTimeFunctions.isoTime },
    {
      write(line: string) {
        try {
          mkdirSync(dirname(file), { recursive: true });
          appendFileSync(file, line);
        } catch {
          // Logging must never fail a command.
        }
      },
    },
  );
}

/** The same files the bot registers, from commands/. */
export async function loadConsoleCommands(): Promise<CommandModule[]> {
  return (await loadCommands()).modules;
}
