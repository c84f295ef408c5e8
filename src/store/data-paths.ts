// Every path of a data folder, from one place: the database, the models folder, the console's
// log and history. The folders themselves come from the configuration (src/config: DATA_DIR,
// MODELS_DIR and their defaults); nothing outside src/store joins a file name onto them.
import { join } from 'node:path';

export const DATABASE_FILENAME = 'ultraefficient.sqlite';

export interface DataPaths {
  dataDir: string;
  modelsDir: string;
  /** The SQLite database: `<dataDir>/ultraefficient.sqlite` unless given. */
  database: string;
  /** The console's log of unexpected errors and the manager's operator lines. */
  consoleLog: string;
  /** The console's command history (interactive sessions). */
  consoleHistory: string;
}

/**
 * The paths of a data folder. Without `modelsDir`, the models folder is `<dataDir>/models`: one
 * folder holding everything (defaultManagerConfig, tests and benchmarks). The bot, the console
 * and the operator scripts always pass MODELS_DIR (src/config).
 */
export function dataPaths(folders: { dataDir: string; modelsDir?: string; databasePath?: string }): DataPaths {
  return {
    dataDir: folders.dataDir,
    modelsDir: folders.modelsDir ?? join(folders.dataDir, 'models'),
    database: folders.databasePath ?? join(folders.dataDir, DATABASE_FILENAME),
    consoleLog: join(folders.dataDir, 'console.log'),
    consoleHistory: join(folders.dataDir, 'console-history'),
  };
}
