// Per-guild exclusivity across processes on one data directory. Inside one process
// the manager orders a guild's operations with a promise chain (its exclusive section) and its
// one-job-per-guild map; this extends both to every process sharing the database, with the
// leases of src/store/coordination.ts:
//   - 'training': taken when a training is admitted, renewed while it queues and runs, released
//     when it ends. Another process refuses its own /train ("already running, NN %") and shows
//     this one in /status from the job row the owner keeps up to date.
//   - 'section': taken around every operation that reads or replaces the guild's files and rows
//     (save, load, delete, the commit of a training), so two processes never interleave them.
// A lease held by a process that died is taken over at once on the same machine (its pid is
// gone) and after LEASE_TTL_MS otherwise.
import { UserError } from '../errors.js';
import { type Coordination, isBusyError, retryBusy, type JobRow, type LeaseHolder } from '../store/index.js';

/** How long a lease lasts without renewal; a stuck holder on another machine blocks no longer. */
const LEASE_TTL_MS = 30_000;
const RENEW_EVERY_MS = 10_000;
/** How long an operation waits for another process's section before "busy, try again". */
const SECTION_WAIT_MS = 20_000;
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

export interface TrainingClaim {
  /** Stops renewing and gives the lease back. Idempotent. */
  release(): void;
}

export class GuildLeases {
  constructor(readonly coordination: Coordination) {}

  get owner(): string {
    return this.coordination.owner;
  }

  /**
   * Claims the guild's training slot for `jobId`, synchronously (two /train arriving together in
   * two processes cannot both pass). Throws ALREADY_TRAINING with the holder's progress when
   * another live process trains on the guild.
   */
  claimTraining(guildId: string, jobId: string, runningJob: (id: string) => JobRow | undefined): TrainingClaim {
    const holder = busyAsUserError(() =>
      retryBusy(() => this.coordination.acquire(guildId, 'training', jobId, LEASE_TTL_MS)),
    );
    if (holder) {
      const row = holder.jobId ? runningJob(holder.jobId) : undefined;
      throw new UserError('ALREADY_TRAINING', {
        percent: Math.floor((row?.progress ?? 0) * 100),
        phase: row?.phase ?? 'queued',
      });
    }
    const timer = setInterval(() => {
      try {
        this.coordination.renew(guildId, 'training', LEASE_TTL_MS);
      } catch {
        // A busy database delays one renewal; the next one (well before expiry) tries again.
      }
    }, RENEW_EVERY_MS);
    timer.unref();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        try {
          retryBusy(() => this.coordination.release(guildId, 'training'));
        } catch {
          // Left to expire: another process takes it over after LEASE_TTL_MS.
        }
      },
    };
  }

  /** The live training lease of another process on the guild, after removing a dead one. */
  otherTraining(guildId: string): LeaseHolder | null {
    try {
      this.coordination.reapTraining(guildId);
    } catch (error) {
      if (!isBusyError(error)) throw error;
    }
    const holder = this.coordination.holder(guildId, 'training');
    return holder && holder.owner !== this.owner ? holder : null;
  }

  /**
   * Runs `work` holding the guild's section lease, waiting (polling, with back-off) while another
   * process holds it; past SECTION_WAIT_MS the answer is DATABASE_BUSY.
   */
  async withSection<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + SECTION_WAIT_MS;
    let delay = FIRST_POLL_MS;
    for (;;) {
      let holder: LeaseHolder | null;
      try {
        holder = retryBusy(() => this.coordination.acquire(guildId, 'section', null, LEASE_TTL_MS));
      } catch (error) {
        if (!isBusyError(error)) throw error;
        holder = null;
        if (performance.now() > deadline) throw new UserError('DATABASE_BUSY', {});
        await sleep(delay);
        continue;
      }
      if (holder === null) break;
      if (performance.now() > deadline) throw new UserError('DATABASE_BUSY', {});
      await sleep(delay);
      delay = Math.min(MAX_POLL_MS, delay * 2);
    }
    const timer = setInterval(() => {
      try {
        this.coordination.renew(guildId, 'section', LEASE_TTL_MS);
      } catch {
        // Retried at the next tick.
      }
    }, RENEW_EVERY_MS);
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
      try {
        retryBusy(() => this.coordination.release(guildId, 'section'));
      } catch {
        // Left to expire.
      }
    }
  }
}

/** Runs a synchronous database step; contention that outlasted the retries becomes DATABASE_BUSY. */
export function busyAsUserError<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (isBusyError(error)) throw new UserError('DATABASE_BUSY', {});
    throw error;
  }
}

/** Maps a rejected operation's SQLite contention to DATABASE_BUSY (other errors unchanged). */
export function busyRejection(error: unknown): never {
  if (isBusyError(error)) throw new UserError('DATABASE_BUSY', {});
  throw error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
