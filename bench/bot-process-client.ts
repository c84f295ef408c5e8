// The child process that runs the bots in the bot benchmarks (bench/bot-process.ts), driven by
// requests over its IPC channel: bench:bot and its channel part share it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The child process that runs the bots, and a request/answer call over its IPC channel. */
export class BotProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  readonly started: Promise<unknown>;

  constructor() {
    this.child = fork(fileURLToPath(new URL('./bot-process.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.started = new Promise((resolve, reject) => this.pending.set(0, { resolve, reject }));
    this.child.on('message', (message: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(`bot process: ${message.error}`));
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`bot process exited (${code})`));
      this.pending.clear();
    });
  }

  call<T = unknown>(request: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, request });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call({ type: 'stop' }).catch(() => undefined);
    await exited;
  }
}
