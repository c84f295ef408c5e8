// Whether the open database is still the file at its path. SQLite keeps writing to an
// open file that was deleted or replaced under it (an operator's `rm -rf data`, a restore of
// another copy): every later /save answered success into a file nobody would ever read again.
// So the manager compares, before each write command, the identity (device + inode) of the file
// it opened with what the path names now: one stat(2), a few microseconds.
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';

export type DatabaseFileState = 'ok' | 'missing' | 'replaced';

export class DatabaseFile {
  private readonly fd: number | null;
  private readonly dev: number;
  private readonly ino: number;

  /**
   * Call right after SQLite opened `path`: a descriptor of our own, opened now, names the same
   * file SQLite holds (nothing replaces a database in between), and fstat tells its identity.
   * ':memory:' has no file and is always 'ok'.
   */
  constructor(readonly path: string) {
    if (path === ':memory:' || path === '') {
      this.fd = null;
      this.dev = 0;
      this.ino = 0;
      return;
    }
    this.fd = openSync(path, 'r');
    const info = fstatSync(this.fd);
    this.dev = info.dev;
    this.ino = info.ino;
  }

  state(): DatabaseFileState {
    if (this.fd === null) return 'ok';
    let info;
    try {
      info = statSync(this.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
      throw error;
    }
    return info.dev === this.dev && info.ino === this.ino ? 'ok' : 'replaced';
  }

  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed.
      }
    }
  }
}
