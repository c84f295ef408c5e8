// ModelFiles beyond the happy path: the .orphans/ folder (what `npm run recover` reads back),
// directory listings, and the answers for things that are missing or are not files.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelFiles, sha256 } from '../../src/store/index.js';

const GUILD = '123456789012345678';
let root: string;
let files: ModelFiles;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ultra-orphans-'));
  files = new ModelFiles(join(root, 'models'));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const bytes = (text: string) => new TextEncoder().encode(text);

describe('ModelFiles .orphans/', () => {
  it('lists no orphans for a guild that never had any, then the moved files sorted', async () => {
    expect(await files.orphanFiles(GUILD)).toEqual([]);
    await files.writeAtomic(GUILD, 'b.ulm', bytes('b'), 'replace');
    await files.writeAtomic(GUILD, 'a.ulm', bytes('a'), 'replace');
    expect(await files.moveToOrphans(GUILD, 'b.ulm')).toBe('.orphans/b.ulm');
    expect(await files.moveToOrphans(GUILD, 'a.ulm')).toBe('.orphans/a.ulm');
    mkdirSync(join(files.guildDir(GUILD), '.orphans', 'not-a-file'));
    expect(await files.orphanFiles(GUILD)).toEqual(['a.ulm', 'b.ulm']);
  });

  it('reads an orphan back, and null once it is gone', async () => {
    await files.writeAtomic(GUILD, 'x.ulm', bytes('payload'), 'replace');
    await files.moveToOrphans(GUILD, 'x.ulm');
    expect(new TextDecoder().decode((await files.readOrphan(GUILD, 'x.ulm'))!)).toBe('payload');
    expect(await files.readOrphan(GUILD, 'never.ulm')).toBeNull();
    await expect(files.readOrphan(GUILD, '../x.ulm')).rejects.toThrow('unsafe file name');
  });

  it('adopts an orphan under a new name, never over an existing file', async () => {
    await files.writeAtomic(GUILD, 'x.ulm', bytes('old'), 'replace');
    await files.moveToOrphans(GUILD, 'x.ulm');
    await files.writeAtomic(GUILD, 'taken.ulm', bytes('keep me'), 'replace');
    expect(await files.adoptOrphan(GUILD, 'x.ulm', 'taken.ulm')).toBe(false);
    expect(readFileSync(files.pathOf(GUILD, 'taken.ulm'), 'utf8')).toBe('keep me');
    expect(await files.orphanFiles(GUILD)).toEqual(['x.ulm']);

    expect(await files.adoptOrphan(GUILD, 'x.ulm', 'stories_v1.ulm')).toBe(true);
    expect(readFileSync(files.pathOf(GUILD, 'stories_v1.ulm'), 'utf8')).toBe('old');
    expect(await files.orphanFiles(GUILD)).toEqual([]);
  });

  it('a second orphan of the same name is kept beside the first as <name>.2', async () => {
    for (const text of ['first', 'second']) {
      await files.writeAtomic(GUILD, 'dup.ulm', bytes(text), 'replace');
      await files.moveToOrphans(GUILD, 'dup.ulm');
    }
    expect(await files.orphanFiles(GUILD)).toEqual(['dup.ulm', 'dup.ulm.2']);
    expect(new TextDecoder().decode((await files.readOrphan(GUILD, 'dup.ulm.2'))!)).toBe('second');
  });
});

describe('ModelFiles listings and missing things', () => {
  it('lists a guild directory sorted by name with each entry kind, and nothing for a guild without one', async () => {
    expect(await files.entries(GUILD)).toEqual([]);
    await files.writeAtomic(GUILD, 'm.ulm', bytes('m'), 'replace');
    const dir = files.guildDir(GUILD);
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, 'm.ulm'), join(dir, 'link'));
    expect(await files.entries(GUILD)).toEqual([
      { name: 'link', kind: 'other' },
      { name: 'm.ulm', kind: 'file' },
      { name: 'sub', kind: 'directory' },
    ]);
  });

  it('finds no guilds when the models folder does not exist yet, and skips plain files in it', async () => {
    expect(await files.guildIds()).toEqual({ valid: [], ignored: [] });
    mkdirSync(files.root, { recursive: true });
    writeFileSync(join(files.root, '123456789012345679'), 'a file, not a guild folder');
    mkdirSync(join(files.root, GUILD));
    expect(await files.guildIds()).toEqual({ valid: [GUILD], ignored: [] });
  });

  it('checks a directory where a model should be as missing, and a file without reading it when not deep', async () => {
    mkdirSync(join(files.guildDir(GUILD), 'dir.ulm'), { recursive: true });
    expect(await files.check(GUILD, 'dir.ulm', 'x', true)).toEqual({ kind: 'missing' });
    await files.writeAtomic(GUILD, 'f.ulm', bytes('12345'), 'replace');
    expect(await files.check(GUILD, 'f.ulm', 'not the checksum', false)).toEqual({ kind: 'ok', bytes: 5 });
    expect(await files.check(GUILD, 'f.ulm', sha256(bytes('12345')), true)).toEqual({ kind: 'ok', bytes: 5 });
  });

  it('removing a file that is not there answers false; reading a directory is an error, not a missing file', async () => {
    expect(await files.remove(GUILD, 'none.ulm')).toBe(false);
    mkdirSync(join(files.guildDir(GUILD), 'dir.ulm'), { recursive: true });
    await expect(files.read(GUILD, 'dir.ulm')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('refuses file names with control characters, dot segments or over 255 characters', () => {
    for (const name of ['', '.', '..', 'a\u0001b', 'x'.repeat(256), 'a\\b']) {
      expect(() => files.pathOf(GUILD, name), JSON.stringify(name)).toThrow('unsafe file name');
    }
    expect(files.pathOf(GUILD, 'x'.repeat(255))).toBe(join(files.guildDir(GUILD), 'x'.repeat(255)));
  });

  it('a write that does not overwrite leaves no temp file behind when the name is taken', async () => {
    await files.writeAtomic(GUILD, 'n.ulm', bytes('one'), 'no-clobber');
    expect(await files.writeAtomic(GUILD, 'n.ulm', bytes('two'), 'no-clobber')).toBe(false);
    expect(readdirSync(files.guildDir(GUILD))).toEqual(['n.ulm']);
  });
});
