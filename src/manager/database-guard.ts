// Refusing writes once the database file is gone or replaced. The store tells whether
// the open database is still the file at its path (src/store/database-file.ts); here that becomes
// the DATABASE_LOST reply for every later write command, and one error line for the operator
// (the first time it is seen), because only the operator can fix it: restart, then recover.
import { UserError } from '../errors.js';
import type { DatabaseFile, DatabaseFileState, ReconcileReport } from '../store/index.js';
import type { ManagerLogger } from './types.js';

export class DatabaseGuard {
  private lost: Exclude<DatabaseFileState, 'ok'> | null = null;

  constructor(
    private readonly file: DatabaseFile,
    private readonly logger: ManagerLogger | undefined,
  ) {}

  /** Throws DATABASE_LOST when the database file was removed or replaced since it was opened. */
  assertWritable(): void {
    const lost = this.lostState();
    if (lost !== null) throw new UserError('DATABASE_LOST', { state: lost });
  }

  /** null while the database file is the one opened; else how it was lost (logged the first time). */
  lostState(): Exclude<DatabaseFileState, 'ok'> | null {
    if (this.lost === null) {
      const state = this.file.state();
      if (state === 'ok') return null;
      // Once lost, always lost for this process: a file put back at the path is another file.
      this.lost = state;
      this.logger?.error(
        { database: this.file.path, state },
        `the database file was ${state === 'missing' ? 'removed' : 'replaced'} while the bot ran: writes are refused from now on. ` +
          'Stop the bot, start it again (model files without a record are moved to .orphans/), then run `npm run recover` to register them again, or `npm run restore -- <snapshot>`',
      );
    }
    return this.lost;
  }

  get isLost(): boolean {
    return this.lost !== null;
  }

  close(): void {
    this.file.close();
  }
}

/**
 * The start-up reconcile as one log line (none when it found nothing); a warning when files were moved aside or found
 * broken.
 */
export function logReconcile(logger: ManagerLogger | undefined, report: ReconcileReport): void {
  if (!logger) return;
  const counts = {
    guilds: report.guildsChecked,
    orphansMoved: report.orphansMoved.length,
    modelsUnavailable: report.modelsUnavailable.length,
    modelsRestored: report.modelsRestored.length,
    draftsUnavailable: report.draftsUnavailable.length,
    draftsRecovered: report.draftsRecovered.length,
    jobsInterrupted: report.jobsInterrupted.length,
    deletesFinished: report.deletesFinished.length,
    tempFilesRemoved: report.tempFilesRemoved.length,
  };
  if (report.orphansMoved.length > 0) {
    const byGuild: Record<string, number> = {};
    for (const moved of report.orphansMoved) byGuild[moved.guildId] = (byGuild[moved.guildId] ?? 0) + 1;
    logger.warn(
      { ...counts, orphansByGuild: byGuild, orphans: report.orphansMoved.slice(0, 50) },
      `startup reconcile: ${report.orphansMoved.length} file(s) without a database record moved to <guild>/.orphans/; ` +
        '`npm run recover` registers the model files among them again',
    );
  } else if (report.modelsUnavailable.length > 0 || report.draftsUnavailable.length > 0) {
    logger.warn(
      { ...counts, unavailable: report.modelsUnavailable.slice(0, 50) },
      'startup reconcile: some model files are missing or damaged',
    );
  } else if (Object.entries(counts).some(([name, count]) => name !== 'guilds' && count > 0)) {
    logger.info(counts, 'startup reconcile');
  }
}
