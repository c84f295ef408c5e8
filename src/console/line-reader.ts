// Lines from standard input, one at a time, for whoever asks next: the command loop, an awaited
// choice, a form field. Lines that arrive while nobody waits (a pipe delivers everything at
// once; a user types ahead during a training) are kept in order.
import type { Interface } from 'node:readline';

export type ReadResult = { kind: 'line'; text: string } | { kind: 'eof' } | { kind: 'timeout' } | { kind: 'cancelled' };

export class LineReader {
  private readonly queued: string[] = [];
  private waiter: ((result: ReadResult) => void) | null = null;
  private ended = false;

  constructor(
    private readonly readline: Interface,
    /** Show prompts (a terminal); a pipe gets none. */
    private readonly interactive: boolean,
  ) {
    readline.on('line', (text) => {
      if (this.waiter) {
        const deliver = this.waiter;
        this.waiter = null;
        deliver({ kind: 'line', text });
      } else {
        this.queued.push(text);
      }
    });
    readline.on('close', () => {
      this.ended = true;
      const deliver = this.waiter;
      this.waiter = null;
      deliver?.({ kind: 'eof' });
    });
  }

  /** True once input has ended and every line was read. */
  get exhausted(): boolean {
    return this.ended && this.queued.length === 0;
  }

  /** Lines already received and not yet read (a pipe's look-ahead). */
  get pending(): number {
    return this.queued.length;
  }

  /** Puts a line back to be read next (a new command typed where an answer was expected). */
  unread(text: string): void {
    this.queued.unshift(text);
  }

  /**
   * The next line. `timeoutMs` bounds the wait (awaited choices expire like Discord's); an
   * aborted `signal` ends it without taking a line.
   */
  read(prompt: string | null, timeoutMs?: number, signal?: AbortSignal): Promise<ReadResult> {
    if (this.waiter) throw new Error('LineReader: two reads at once');
    if (signal?.aborted) return Promise.resolve({ kind: 'cancelled' });
    const queued = this.queued.shift();
    if (queued !== undefined) return Promise.resolve({ kind: 'line', text: queued });
    if (this.ended) return Promise.resolve({ kind: 'eof' });
    if (this.interactive && prompt !== null) {
      this.readline.setPrompt(prompt);
      this.readline.prompt();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: ReadResult) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      // Whatever the user half-typed stays in readline's buffer and reappears with the next
      // prompt, so nothing typed is lost when a wait ends without a line.
      const giveUp = (result: ReadResult) => {
        if (this.waiter !== finish) return;
        this.waiter = null;
        finish(result);
      };
      const onAbort = () => giveUp({ kind: 'cancelled' });
      this.waiter = finish;
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => giveUp({ kind: 'timeout' }), timeoutMs);
        timer.unref?.();
      }
    });
  }
}
