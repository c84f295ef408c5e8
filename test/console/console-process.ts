// A real console process (`npm start`'s entry, src/main.ts through tsx, no token) driven line by
// line: each send resolves once the output after it matches what the step waits for.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
/** A failure bound only: every wait ends on output the process prints. */
const WAIT_MS = 20_000;

export class ConsoleProcess {
  readonly child: ChildProcessWithoutNullStreams;
  out = '';
  private waiters: (() => void)[] = [];

  constructor(options: { guildId: string; dataDir: string; modelsDir?: string }) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--guild', options.guildId], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DISCORD_TOKEN: '',
        DATA_DIR: options.dataDir,
        ...(options.modelsDir ? { MODELS_DIR: options.modelsDir } : {}),
        LANG: 'en_US.UTF-8',
        LC_ALL: '',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const take = (chunk: Buffer) => {
      this.out += chunk.toString('utf8');
      for (const waiter of this.waiters.splice(0)) waiter();
    };
    this.child.stdout.on('data', take);
    this.child.stderr.on('data', take);
  }

  /** Writes a line and resolves with what the process printed after it once `until` matches. */
  async send(line: string, until: RegExp): Promise<string> {
    const start = this.out.length;
    this.child.stdin.write(`${line}\n`);
    return this.waitFor(until, start);
  }

  waitFor(until: RegExp, start = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${until} in:\n${this.out.slice(start)}`)), WAIT_MS);
      const check = () => {
        const seen = this.out.slice(start);
        if (until.test(seen)) {
          clearTimeout(timer);
          resolve(seen);
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('close', () => resolve());
      this.child.stdin.end();
    });
  }
}
