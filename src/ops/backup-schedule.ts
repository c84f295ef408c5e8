// The bot's own backups: one every BACKUP_INTERVAL_HOURS, counted from the newest
// snapshot in BACKUP_DIR (a bot restarted every day still takes its daily one), the first no
// sooner than a minute after start. Backups never overlap; a failure is logged and the next one
// is tried at the next interval. Only one process of a sharded bot (shard 0) runs it.
import type { BotConfig } from '../config/index.js';
import type { ManagerLogger } from '../manager/types.js';
import { listSnapshots } from '../store/index.js';
import { runBackup } from './backup-run.js';

const FIRST_DELAY_MS = 60_000;
/** setTimeout's largest delay; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface BackupSchedule {
  /** Stops the schedule and waits for a backup that is running. */
  stop(): Promise<void>;
  /** Resolves with each backup's outcome (tests). */
  readonly taken: number;
}

export interface ScheduleOptions {
  now?: () => number;
  firstDelayMs?: number;
  intervalMs?: number;
}

export function startBackupSchedule(
  config: Pick<BotConfig, 'dataDir' | 'modelsDir' | 'backup'>,
  logger: ManagerLogger,
  options: ScheduleOptions = {},
): BackupSchedule | null {
  const intervalMs = options.intervalMs ?? config.backup.intervalHours * 3_600_000;
  if (!(intervalMs > 0)) return null;
  const now = options.now ?? Date.now;
  const firstDelay = options.firstDelayMs ?? FIRST_DELAY_MS;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let taken = 0;

  const wait = (ms: number, then: () => void) => {
    if (stopped) return;
    const step = Math.min(ms, MAX_TIMER_MS);
    timer = setTimeout(() => (ms > step ? wait(ms - step, then) : then()), step);
    timer.unref();
  };
  const backup = () => {
    running = runBackup(config, logger)
      .then(() => {
        taken++;
      })
      .catch((error: unknown) => {
        logger.error(
          { err: error },
          'backup: the scheduled snapshot failed; the next one is tried at the next interval',
        );
      })
      .finally(() => {
        running = null;
        wait(intervalMs, backup);
      });
  };
  void listSnapshots(config.backup.dir)
    .then((snapshots) => {
      const newest = snapshots.at(-1);
      const stamp = newest ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(newest.name) : null;
      const last = stamp ? Date.UTC(+stamp[1], +stamp[2] - 1, +stamp[3], +stamp[4], +stamp[5], +stamp[6]) : null;
      const due = last === null ? firstDelay : Math.max(firstDelay, Math.min(intervalMs, last + intervalMs - now()));
      logger.info(
        { backupDir: config.backup.dir, everyHours: intervalMs / 3_600_000, firstInMs: due },
        'backup: schedule started',
      );
      wait(due, backup);
    })
    .catch((error: unknown) => logger.error({ err: error }, 'backup: the schedule could not start'));

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    get taken() {
      return taken;
    },
  };
}
