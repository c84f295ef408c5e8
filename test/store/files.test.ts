import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelFiles, sha256 } from '../../src/store/index.js';

let root: string;
let files: ModelFiles;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ultra-files-'));
  files = new ModelFiles(join(root, 'models'));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const bytes = (text: string) => new TextEncoder().encode(text);

describe('ModelFiles', () => {
  it('writes atomically into the guild directory and leaves no temp file', async () => {
    expect(await files.writeAtomic('local', 'a_20241201_143022.ulm', bytes('uno'), 'no-clobber')).toBe(true);
    expect(readdirSync(join(root, 'models', 'local'))).toEqual(['a_20241201_143022.ulm']);
    expect(readFileSync(join(root, 'models', 'local', 'a_20241201_143022.ulm'), 'utf8')).toBe('uno');
  });

  it('never overwrites when asked not to, and replaces when asked to', async () => {
    await files.writeAtomic('local', 'a.ulm', bytes('uno'), 'no-clobber');
    expect(await files.writeAtomic('local', 'a.ulm', bytes('dos'), 'no-clobber')).toBe(false);
    expect(Buffer.from((await files.read('local', 'a.ulm')) as Uint8Array).toString()).toBe('uno');
    expect(await files.writeAtomic('local', 'a.ulm', bytes('tres'), 'replace')).toBe(true);
    expect(Buffer.from((await files.read('local', 'a.ulm')) as Uint8Array).toString()).toBe('tres');
    expect(readdirSync(join(root, 'models', 'local'))).toEqual(['a.ulm']);
  });

  it('reads a missing file as null and checks sizes and checksums', async () => {
    expect(await files.read('local', 'nada.ulm')).toBeNull();
    await files.writeAtomic('local', 'a.ulm', bytes('uno'), 'no-clobber');
    expect(await files.check('local', 'a.ulm', sha256(bytes('uno')), true)).toEqual({ kind: 'ok', bytes: 3 });
    expect(await files.check('local', 'a.ulm', sha256(bytes('otro')), true)).toEqual({ kind: 'checksum', bytes: 3 });
    expect(await files.check('local', 'a.ulm', 'whatever', false)).toEqual({ kind: 'ok', bytes: 3 });
    expect(await files.check('local', 'b.ulm', 'whatever', true)).toEqual({ kind: 'missing' });
  });

  it('refuses any path that would leave the guild directory, whatever the caller passes', () => {
    for (const filename of [
      '../x.ulm',
      '..',
      '.',
      'a/b.ulm',
      'a\\b.ulm',
      '/etc/passwd',
      'nul\u0000.ulm',
      '',
      'x'.repeat(300),
    ]) {
      expect(() => files.pathOf('local', filename), filename).toThrow();
    }
    for (const guildId of ['..', '../other', 'a/b', '', '.orphans']) {
      expect(() => files.pathOf(guildId, 'a.ulm'), guildId).toThrow();
    }
  });

  it('moves files to .orphans/, renaming on a clash', async () => {
    await files.writeAtomic('local', 'a.ulm', bytes('uno'), 'no-clobber');
    expect(await files.moveToOrphans('local', 'a.ulm')).toBe('.orphans/a.ulm');
    await files.writeAtomic('local', 'a.ulm', bytes('dos'), 'no-clobber');
    expect(await files.moveToOrphans('local', 'a.ulm')).toBe('.orphans/a.ulm.2');
    expect(readdirSync(join(root, 'models', 'local', '.orphans')).sort()).toEqual(['a.ulm', 'a.ulm.2']);
    expect(existsSync(join(root, 'models', 'local', 'a.ulm'))).toBe(false);
  });

  it('lists guild directories, setting aside names that are not guild ids', async () => {
    mkdirSync(join(root, 'models', '123456789012345678'), { recursive: true });
    mkdirSync(join(root, 'models', 'local'), { recursive: true });
    mkdirSync(join(root, 'models', 'Not A Guild'), { recursive: true });
    writeFileSync(join(root, 'models', 'stray.txt'), 'x');
    expect(await files.guildIds()).toEqual({ valid: ['123456789012345678', 'local'], ignored: ['Not A Guild'] });
  });

  it('removes only temp files through removeTemp', async () => {
    await files.writeAtomic('local', 'a.ulm', bytes('uno'), 'no-clobber');
    await expect(files.removeTemp('local', 'a.ulm')).rejects.toThrow();
    writeFileSync(join(root, 'models', 'local', '.tmp-abc'), 'x');
    await files.removeTemp('local', '.tmp-abc');
    expect((await files.entries('local')).map((entry) => entry.name)).toEqual(['a.ulm']);
  });
});
