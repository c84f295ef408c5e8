// `npm run recover`: registers again the saved model files the database has no row
// for — those a start-up reconcile moved to <guild>/.orphans/ after the database was lost, and
// any unreferenced saved file still in the models folder — so a lost database costs no model.
//
// What each file gives: its guild is the folder it is in; its name and save time are in its
// file name (`<name>_<YYYYMMDD_HHMMSS>[_N].ulm`, written by every save and import); parameters
// and statistics come from decoding it completely (as /import checks a file). The model format
// carries no name, version or author, so: versions are numbered again, per name, in the order
// of the save times (after any version the database still has); the author is recorded as
// "npm run recover". Nothing is deleted: damaged files, files whose name is no model name and
// copies of a version already registered are left where they are and listed. Quotas and
// MAX_VERSIONS_PER_MODEL do not apply (the operator brings back what the server had).
import { isUserError } from '../errors.js';
import {
  Catalog,
  Coordination,
  ModelFiles,
  openDatabase,
  parseModelName,
  savedModelFilename,
  sha256,
  type ModelName,
  type NewModelRow,
} from '../store/index.js';
import { checkImportedModel } from './model-transfer.js';

export const RECOVERED_BY = { id: 'recover', name: 'npm run recover' } as const;

/** A saved file's name, or the same in .orphans/ with the `.N` a name clash there adds. */
const SAVED_FILE = /^(?!\.)(.+)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d+))?\.ulm(?:\.\d+)?$/u;
const SECTION_TTL_MS = 60_000;
const FILENAME_ATTEMPTS = 100;

export interface RecoverOptions {
  dataDir: string;
  modelsDir: string;
  databasePath: string;
}

export interface RecoverReport {
  registered: { guildId: string; name: string; version: number; filename: string; from: 'orphans' | 'models' }[];
  skipped: { guildId: string; file: string; reason: 'damaged' | 'incompatible' | 'name' | 'duplicate' | 'busy' }[];
  guildsChecked: number;
}

interface Candidate {
  file: string;
  from: 'orphans' | 'models';
  name: ModelName;
  savedAt: number;
  attempt: number;
}

/** Whether a file name is one a save or import wrote (what recover can register). */
export function isRecoverableFile(filename: string): boolean {
  return parseSavedFilename(filename) !== null;
}

export function parseSavedFilename(filename: string): { name: ModelName; savedAt: number; attempt: number } | null {
  const match = SAVED_FILE.exec(filename);
  if (!match) return null;
  const [, rawName, year, month, day, hour, minute, second, attempt] = match;
  const savedAt = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (!Number.isFinite(savedAt)) return null;
  try {
    return { name: parseModelName(rawName), savedAt, attempt: attempt === undefined ? 1 : Number(attempt) };
  } catch {
    return null;
  }
}

export async function recoverModels(options: RecoverOptions): Promise<RecoverReport> {
  const db = openDatabase(options.databasePath);
  const report: RecoverReport = { registered: [], skipped: [], guildsChecked: 0 };
  try {
    const catalog = new Catalog(db);
    const coordination = new Coordination(db);
    const files = new ModelFiles(options.modelsDir);
    for (const guildId of (await files.guildIds()).valid) {
      report.guildsChecked++;
      // The guild's section lease: a running bot's save, load or delete of the guild waits.
      if (coordination.acquire(guildId, 'section', null, SECTION_TTL_MS) !== null) {
        report.skipped.push({ guildId, file: '*', reason: 'busy' });
        continue;
      }
      try {
        await recoverGuild(catalog, files, guildId, report);
      } finally {
        coordination.release(guildId, 'section');
      }
    }
    return report;
  } finally {
    db.close();
  }
}

async function recoverGuild(
  catalog: Catalog,
  files: ModelFiles,
  guildId: string,
  report: RecoverReport,
): Promise<void> {
  const rows = catalog.listModels(guildId);
  const referenced = new Set(rows.map((row) => row.filename));
  const known = new Set(rows.map((row) => `${row.nameKey}\u0000${row.checksum}`));
  const candidates: Candidate[] = [];
  const consider = (file: string, from: Candidate['from']) => {
    const parsed = parseSavedFilename(file);
    if (parsed) candidates.push({ file, from, ...parsed });
    else if (from === 'orphans' && !file.startsWith('.'))
      report.skipped.push({ guildId, file: `.orphans/${file}`, reason: 'name' });
  };
  for (const entry of await files.entries(guildId)) {
    if (entry.kind === 'file' && !referenced.has(entry.name) && !entry.name.startsWith('.'))
      consider(entry.name, 'models');
  }
  for (const file of await files.orphanFiles(guildId)) consider(file, 'orphans');
  candidates.sort(
    (a, b) => a.savedAt - b.savedAt || a.attempt - b.attempt || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0),
  );

  for (const candidate of candidates) {
    const shown = candidate.from === 'orphans' ? `.orphans/${candidate.file}` : candidate.file;
    const bytes =
      candidate.from === 'orphans'
        ? await files.readOrphan(guildId, candidate.file)
        : await files.read(guildId, candidate.file);
    if (bytes === null) continue;
    let statsJson: string;
    try {
      statsJson = JSON.stringify(checkImportedModel(candidate.file, bytes));
    } catch (error) {
      const incompatible = isUserError(error) && error.code === 'MODEL_INCOMPATIBLE';
      report.skipped.push({ guildId, file: shown, reason: incompatible ? 'incompatible' : 'damaged' });
      continue;
    }
    const checksum = sha256(bytes);
    const identity = `${candidate.name.key}\u0000${checksum}`;
    if (known.has(identity)) {
      report.skipped.push({ guildId, file: shown, reason: 'duplicate' });
      continue;
    }
    // The file is in the models folder under a name no row has before its row is written: a
    // crash in between leaves an unreferenced file, which the next recover registers.
    const filename = candidate.from === 'models' ? candidate.file : await adopt(catalog, files, guildId, candidate);
    const stats = JSON.parse(statsJson) as { params?: unknown; corpus?: unknown };
    const row: NewModelRow = {
      guildId,
      name: candidate.name.display,
      nameKey: candidate.name.key,
      version: catalog.nextVersion(guildId, candidate.name.key),
      filename,
      bytes: bytes.byteLength,
      checksum,
      createdAt: candidate.savedAt,
      createdBy: { ...RECOVERED_BY },
      paramsJson: JSON.stringify(stats.params ?? null),
      statsJson,
      corpusJson: JSON.stringify(stats.corpus ?? null),
    };
    catalog.insertModel(row);
    known.add(identity);
    report.registered.push({ guildId, name: row.name, version: row.version, filename, from: candidate.from });
  }
}

/** Moves an orphan back under its saved name (without `.N`), or a free name of the same save. */
async function adopt(catalog: Catalog, files: ModelFiles, guildId: string, candidate: Candidate): Promise<string> {
  const original = candidate.file.replace(/(\.ulm)\.\d+$/u, '$1');
  for (let attempt = 0; attempt < FILENAME_ATTEMPTS; attempt++) {
    const filename =
      attempt === 0 ? original : savedModelFilename(candidate.name, candidate.savedAt, candidate.attempt + attempt + 1);
    if (catalog.filenameTaken(guildId, filename)) continue;
    if (await files.adoptOrphan(guildId, candidate.file, filename)) return filename;
  }
  throw new Error(`no free file name for ${candidate.name.display} in ${guildId}`);
}

/** The report as the lines `npm run recover` prints. */
export function describeRecovery(report: RecoverReport): string[] {
  const lines: string[] = [];
  for (const done of report.registered) {
    lines.push(
      `registered ${done.guildId}: ${done.name} v${done.version} (${done.from === 'orphans' ? 'from .orphans/' : 'in the models folder'}: ${done.filename})`,
    );
  }
  const reasons: Record<RecoverReport['skipped'][number]['reason'], string> = {
    damaged: 'not a valid model file; left where it is',
    incompatible: 'written by a newer version of the bot; left where it is',
    name: 'its file name holds no model name; left where it is',
    duplicate: 'the same file is already registered under that name; left where it is',
    busy: 'another process is working on this server; run recover again',
  };
  for (const skipped of report.skipped)
    lines.push(`skipped ${skipped.guildId}: ${skipped.file}: ${reasons[skipped.reason]}`);
  lines.push(
    `${report.registered.length} model file(s) registered, ${report.skipped.length} skipped, ${report.guildsChecked} server folder(s) checked.` +
      (report.registered.length > 0 ? ' Use /load to make one of them active.' : ''),
  );
  return lines;
}
