// One progress message, edited at most once per interval. Discord rate-limits message edits and
// users cannot read faster than that anyway, so intermediate reports are coalesced: the latest
// one is shown when the interval allows, the ones in between are dropped.
import type { Reply } from './context.js';

const PROGRESS_INTERVAL_MS = 3_000;

export interface ProgressMessageOptions<P> {
  send(reply: Reply): Promise<void>;
  render(progress: P): Reply;
  intervalMs?: number;
  /** Monotonic milliseconds. */
  clock?: () => number;
  /** Stop editing once this returns false (e.g. the interaction token is about to expire). */
  canEdit?: () => boolean;
}

export class ProgressMessage<P> {
  private latest: P | undefined;
  /** A report arrived that no edit has shown yet. */
  private dirty = false;
  private lastShown: string | undefined;
  private lastEditAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly clock: () => number;
  /** Start times of every edit sent, for tests and diagnostics. */
  readonly editTimes: number[] = [];

  constructor(private readonly options: ProgressMessageOptions<P>) {
    this.intervalMs = options.intervalMs ?? PROGRESS_INTERVAL_MS;
    this.clock = options.clock ?? (() => performance.now());
  }

  report(progress: P): void {
    if (this.stopped) return;
    this.latest = progress;
    this.dirty = true;
    this.schedule();
  }

  /** No edit starts after this resolves; an edit already under way is awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped || !this.dirty || this.timer || this.inFlight) return;
    const wait = Math.max(0, this.lastEditAt + this.intervalMs - this.clock());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.flush().finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    }, wait);
  }

  private async flush(): Promise<void> {
    if (this.stopped || this.latest === undefined) return;
    this.dirty = false;
    if (this.options.canEdit && !this.options.canEdit()) {
      this.stopped = true;
      return;
    }
    const reply = this.options.render(this.latest);
    const shown = JSON.stringify(reply);
    if (shown === this.lastShown) return;
    this.lastShown = shown;
    this.lastEditAt = this.clock();
    this.editTimes.push(this.lastEditAt);
    try {
      await this.options.send(reply);
    } catch {
      // An edit that fails (expired token, deleted message) will fail again: stop trying. The
      // final result has its own fallback (a channel message).
      this.stopped = true;
    }
  }
}
