// The global limit on training jobs: at most `maxRunning` run at once and at most `maxQueued`
// wait behind them. Admission is decided synchronously, so a burst of /train commands cannot
// all pass the check before any of them registers; beyond the queue the answer is "busy".

export interface JobTicket {
  /** Whether the job had to wait when it was admitted. */
  readonly queued: boolean;
  /** Resolves when the job may start; rejects with the signal's reason if aborted first. */
  started(signal: AbortSignal): Promise<void>;
  /** Frees the slot (or the place in the queue). Idempotent. */
  release(): void;
}

export class JobSlots {
  private running = 0;
  private readonly queue: { start: () => void }[] = [];

  constructor(
    readonly maxRunning: number,
    readonly maxQueued: number,
  ) {
    if (!(maxRunning >= 1)) throw new Error('maxRunning must be at least 1');
  }

  get runningCount(): number {
    return this.running;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** A ticket, or null when every slot and every place in the queue is taken. */
  admit(): JobTicket | null {
    if (this.running < this.maxRunning) {
      this.running++;
      return this.ticket(true, null);
    }
    if (this.queue.length >= this.maxQueued) return null;
    const waiter = { start: (): void => undefined };
    this.queue.push(waiter);
    return this.ticket(false, waiter);
  }

  private ticket(startedNow: boolean, waiter: { start: () => void } | null): JobTicket {
    let holdsSlot = startedNow;
    let released = false;
    let onStart: (() => void) | null = null;
    if (waiter) {
      waiter.start = () => {
        holdsSlot = true;
        onStart?.();
      };
    }
    return {
      queued: !startedNow,
      started: (signal) =>
        new Promise<void>((resolve, reject) => {
          if (holdsSlot) return resolve();
          if (released) return reject(new Error('ticket released before it started'));
          if (signal.aborted) return reject(signal.reason);
          const abort = () => reject(signal.reason);
          signal.addEventListener('abort', abort, { once: true });
          onStart = () => {
            signal.removeEventListener('abort', abort);
            resolve();
          };
        }),
      release: () => {
        if (released) return;
        released = true;
        if (holdsSlot) {
          this.running--;
          this.startNext();
        } else if (waiter) {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
        }
      },
    };
  }

  private startNext(): void {
    while (this.running < this.maxRunning && this.queue.length > 0) {
      const next = this.queue.shift() as { start: () => void };
      this.running++;
      next.start();
    }
  }
}
