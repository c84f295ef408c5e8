// SQLite contention between processes. busy_timeout (database.ts) makes a writer wait for
// another process's transaction; a transaction that still fails with SQLITE_BUSY (the wait ran
// out, or a read snapshot went stale before its first write) is retried a bounded number of
// times, and past that the caller gets a typed error that the adapters turn into "busy, try again".

/** Retries of a write transaction that failed with SQLITE_BUSY/SQLITE_LOCKED. */
const BUSY_RETRIES = 3;

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Runs a synchronous write (one transaction) again when SQLite reports contention. A retried
 * transaction starts afresh with a new snapshot, so no wait is needed before it; the busy
 * timeout already waited for the other writer inside each attempt.
 */
export function retryBusy<T>(write: () => T, retries = BUSY_RETRIES): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return write();
    } catch (error) {
      if (!isBusyError(error) || attempt >= retries) throw error;
    }
  }
}
