// DatabaseFile: is the open database still the file at its path?
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseFile } from '../../src/store/index.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ultra-dbfile-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DatabaseFile', () => {
  it('an in-memory database has no file and is always ok', () => {
    for (const path of [':memory:', '']) {
      const file = new DatabaseFile(path);
      expect(file.state()).toBe('ok');
      file.close();
    }
  });

  it('is ok while the path names the opened file, missing once it is removed', () => {
    const path = join(dir, 'bot.sqlite');
    writeFileSync(path, 'x');
    const file = new DatabaseFile(path);
    expect(file.state()).toBe('ok');
    unlinkSync(path);
    expect(file.state()).toBe('missing');
    file.close();
  });

  it('is replaced when another file took the path', () => {
    const path = join(dir, 'bot.sqlite');
    writeFileSync(path, 'x');
    const file = new DatabaseFile(path);
    writeFileSync(join(dir, 'other'), 'y');
    renameSync(join(dir, 'other'), path);
    expect(file.state()).toBe('replaced');
    file.close();
  });

  it('closing twice is harmless', () => {
    const path = join(dir, 'bot.sqlite');
    writeFileSync(path, 'x');
    const file = new DatabaseFile(path);
    file.close();
    expect(() => file.close()).not.toThrow();
  });
});
