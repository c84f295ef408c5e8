// Operator-script tests: a data folder with saved models, made by a real manager, and the
// scripts run as `npm run …` runs them (node + tsx, the environment only).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ModelManager, defaultManagerConfig } from '../../src/manager/index.js';
import { ana, CORPORA, corpusSource, TINY, type TestDirs } from '../manager/helpers.js';

export const root = join(import.meta.dirname, '..', '..');
export const GUILD = '330000000000000001';

export interface OpsDirs extends TestDirs {
  backupDir: string;
}

/** DATA_DIR and MODELS_DIR side by side (as the bot's defaults), BACKUP_DIR beside them. */
export function makeOpsDirs(prefix = 'ultra-ops-'): OpsDirs {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(base, 'data');
  return {
    root: base,
    dataDir,
    modelsDir: join(base, 'models'),
    databasePath: join(dataDir, 'ultraefficient.sqlite'),
    backupDir: join(base, 'backups'),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

export function openOpsManager(dirs: OpsDirs): Promise<ModelManager> {
  return ModelManager.open(
    defaultManagerConfig(dirs.dataDir, { modelsDir: dirs.modelsDir, verifyChecksumsAtStartup: true }),
  );
}

/** Trains and saves each name (a different corpus each), then closes the manager. */
export async function saveModels(dirs: OpsDirs, names: string[], guildId = GUILD): Promise<void> {
  const manager = await openOpsManager(dirs);
  try {
    const corpora = [CORPORA.es, CORPORA.en, CORPORA.de];
    for (const [index, name] of names.entries()) {
      await manager.train(guildId, ana, [corpusSource(dirs, `${name}.txt`, corpora[index % 3])], TINY, 'new');
      await manager.save(guildId, ana, name);
    }
  } finally {
    await manager.close();
  }
}

/** Every saved model's name and version, after checking each loads; and the integrity check. */
export async function loadEverything(dirs: OpsDirs, guildId = GUILD): Promise<{ models: string[]; integrity: string }> {
  const manager = await openOpsManager(dirs);
  const models: string[] = [];
  try {
    for (const listing of manager.list(guildId)) {
      for (const version of listing.versions) {
        await manager.load(guildId, listing.name, version.version);
        models.push(`${listing.name} v${version.version}`);
      }
    }
  } finally {
    await manager.close();
  }
  const db = new Database(dirs.databasePath, { readonly: true });
  try {
    return { models: models.sort(), integrity: db.pragma('integrity_check', { simple: true }) as string };
  } finally {
    db.close();
  }
}

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `npm run <script> -- …args` as a child process (node + tsx), on these folders. */
export function runOps(
  script: 'backup' | 'restore' | 'recover',
  args: string[],
  dirs: OpsDirs,
  env: NodeJS.ProcessEnv = {},
): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `src/ops/${script}.ts`, ...args],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATA_DIR: dirs.dataDir,
          MODELS_DIR: dirs.modelsDir,
          BACKUP_DIR: dirs.backupDir,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({
          code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}
