// The store's edges on a real temporary folder: manifests that are not ours or name files outside
// the snapshot, a newer schema, damaged files, the leftovers a snapshot clears, snapshot names
// taken twice in one second; model files and images that are missing, not files, or taken names.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  listSnapshots,
  ModelFiles,
  ModelImageFiles,
  openDatabase,
  SCHEMA_VERSION,
  SnapshotError,
  sha256,
  takeSnapshot,
  verifySnapshot,
} from '../../src/store/index.js';
import { snapshotPath } from '../../src/store/backup.js';

const GUILD = '123456789012345678';
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ultra-store-edges-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writeManifest(dir: string, manifest: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

const fileEntry = (path: string, bytes: Buffer) => ({ path, bytes: bytes.length, sha256: sha256(bytes) });

async function snapshotError(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotError);
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

describe('snapshot manifests', () => {
  it('resolve only the database and models/<guild>/<file> inside the snapshot', () => {
    expect(snapshotPath('/s', 'ultraefficient.sqlite')).toBe('/s/ultraefficient.sqlite');
    expect(snapshotPath('/s', `models/${GUILD}/a_v1.ulm`)).toBe(`/s/models/${GUILD}/a_v1.ulm`);
    for (const bad of [
      '../etc/passwd',
      `models/${GUILD}`,
      `other/${GUILD}/a.ulm`,
      `models/${GUILD}/..a`,
      'models/x/y/z',
    ]) {
      expect(() => snapshotPath('/s', bad)).toThrow(SnapshotError);
    }
    expect(() => snapshotPath('/s', 'models/../a.ulm')).toThrow();
  });

  it('refuse a manifest that is not this bot’s, one from a newer schema, and damaged or missing files', async () => {
    const dir = join(root, '20260101T000000Z');
    expect(await snapshotError(verifySnapshot(dir))).toMatch(/not a complete snapshot/);
    writeManifest(dir, { format: 'something-else', formatVersion: 1, database: {}, files: [] });
    expect(await snapshotError(verifySnapshot(dir))).toMatch(/not a snapshot manifest of this bot/);
    const database = Buffer.from('sqlite bytes');
    const base = {
      format: 'ultraefficient-snapshot',
      formatVersion: 1,
      schemaVersion: SCHEMA_VERSION,
      database: fileEntry('ultraefficient.sqlite', database),
      files: [],
    };
    writeManifest(dir, { ...base, schemaVersion: SCHEMA_VERSION + 1 });
    expect(await snapshotError(verifySnapshot(dir))).toMatch(/newer than this bot’s|newer than this bot's/);
    writeManifest(dir, base);
    expect(await snapshotError(verifySnapshot(dir))).toMatch(/ultraefficient\.sqlite is missing/);
    writeFileSync(join(dir, 'ultraefficient.sqlite'), 'other bytes!');
    expect(await snapshotError(verifySnapshot(dir))).toMatch(/does not match its checksum/);
    writeFileSync(join(dir, 'ultraefficient.sqlite'), database);
    expect((await verifySnapshot(dir)).schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('list only complete snapshots, oldest first; none for a missing folder', async () => {
    expect(await listSnapshots(join(root, 'nowhere'))).toEqual([]);
    for (const name of ['20260301T000000Z', '20260101T000000Z', '20260201T000000Z-2'])
      writeManifest(join(root, name), {});
    mkdirSync(join(root, '20260401T000000Z')); // no manifest: not complete
    mkdirSync(join(root, 'not-a-snapshot'));
    writeFileSync(join(root, '20260501T000000Z'), 'a file');
    expect((await listSnapshots(root)).map((snapshot) => snapshot.name)).toEqual([
      '20260101T000000Z',
      '20260201T000000Z-2',
      '20260301T000000Z',
    ]);
  });
});

describe('taking snapshots', () => {
  it('clears interrupted removals and dead processes’ partial folders, keeps a live one, and never reuses a name', async () => {
    const databasePath = join(root, 'data', 'ultraefficient.sqlite');
    mkdirSync(join(root, 'data'));
    openDatabase(databasePath).close();
    const backupDir = join(root, 'backups');
    const leftovers = [
      '.deleting-20250101T000000Z-abcd',
      '.partial-999999999-dead',
      '.partial-not-a-pid',
      `.partial-${process.pid}-mine`,
    ];
    for (const name of leftovers) mkdirSync(join(backupDir, name), { recursive: true });
    writeFileSync(join(backupDir, '.partial-file'), 'a file, not a folder');
    const options = { databasePath, modelsDir: join(root, 'models'), backupDir, now: () => Date.UTC(2026, 5, 1) };
    const first = await takeSnapshot(options);
    const second = await takeSnapshot(options);
    expect([first.snapshot.name, second.snapshot.name]).toEqual(['20260601T000000Z', '20260601T000000Z-2']);
    expect(readdirSync(backupDir).sort()).toEqual(
      [`.partial-${process.pid}-mine`, '.partial-file', '20260601T000000Z', '20260601T000000Z-2'].sort(),
    );
  });

  it('refuses a database that is not there', async () => {
    const options = {
      databasePath: join(root, 'none.sqlite'),
      modelsDir: join(root, 'models'),
      backupDir: join(root, 'backups'),
    };
    expect(await snapshotError(takeSnapshot(options))).toMatch(/no database/);
  });
});

describe('model files and images at their edges', () => {
  it('lists a guild folder sorted by name with each entry’s kind, and nothing for a guild without one', async () => {
    const files = new ModelFiles(join(root, 'models'));
    expect(await files.entries(GUILD)).toEqual([]);
    expect(await files.orphanFiles(GUILD)).toEqual([]);
    expect(await files.readOrphan(GUILD, 'gone.ulm')).toBeNull();
    await files.writeAtomic(GUILD, 'b.ulm', new Uint8Array([1]), 'replace');
    await files.writeAtomic(GUILD, 'a.ulm', new Uint8Array([2]), 'replace');
    mkdirSync(join(files.guildDir(GUILD), 'sub'));
    symlinkSync(join(files.guildDir(GUILD), 'a.ulm'), join(files.guildDir(GUILD), 'c-link'));
    expect(await files.entries(GUILD)).toEqual([
      { name: 'a.ulm', kind: 'file' },
      { name: 'b.ulm', kind: 'file' },
      { name: 'c-link', kind: 'other' },
      { name: 'sub', kind: 'directory' },
    ]);
    expect(await files.writeAtomic(GUILD, 'a.ulm', new Uint8Array([3]), 'no-clobber')).toBe(false);
    expect(await files.remove(GUILD, 'missing.ulm')).toBe(false);
    await expect(files.removeTemp(GUILD, 'a.ulm')).rejects.toThrow(/not a temp file/);
  });

  it('moves a file to .orphans/ under a free name, and does not adopt one back over a taken name', async () => {
    const files = new ModelFiles(join(root, 'models'));
    for (let i = 0; i < 2; i++) {
      await files.writeAtomic(GUILD, 'a.ulm', new Uint8Array([i]), 'replace');
      await files.moveToOrphans(GUILD, 'a.ulm');
    }
    expect(await files.orphanFiles(GUILD)).toEqual(['a.ulm', 'a.ulm.2']);
    await files.writeAtomic(GUILD, 'a.ulm', new Uint8Array([9]), 'replace');
    expect(await files.adoptOrphan(GUILD, 'a.ulm.2', 'a.ulm')).toBe(false);
    expect([...(await files.readOrphan(GUILD, 'a.ulm.2'))!]).toEqual([1]);
    expect(await files.adoptOrphan(GUILD, 'a.ulm.2', 'b.ulm')).toBe(true);
    expect(await files.orphanFiles(GUILD)).toEqual(['a.ulm']);
  });

  it('reads an image into a spare buffer only when it is large enough, and has no size for a folder or a missing image', async () => {
    const images = new ModelImageFiles(new ModelFiles(join(root, 'models')));
    const checksum = 'a'.repeat(64);
    expect(await images.read(GUILD, checksum)).toBeNull();
    expect(await images.size(GUILD, checksum)).toBeNull();
    await images.write(GUILD, checksum, new Uint8Array([1, 2, 3, 4]));
    const spare = new ArrayBuffer(16);
    const intoSpare = (await images.read(GUILD, checksum, () => spare))!.bytes;
    expect(intoSpare.buffer).toBe(spare);
    expect([...intoSpare]).toEqual([1, 2, 3, 4]);
    const tooSmall = new ArrayBuffer(2);
    const own = (await images.read(GUILD, checksum, () => tooSmall))!.bytes;
    expect(own.buffer).not.toBe(tooSmall);
    expect([...own]).toEqual([1, 2, 3, 4]);
    expect(await images.size(GUILD, checksum)).toBe(4);
    const folder = 'b'.repeat(64);
    mkdirSync(images.pathOf(GUILD, folder), { recursive: true });
    expect(await images.size(GUILD, folder)).toBeNull();
    expect(() => images.pathOf(GUILD, 'not-a-checksum')).toThrow(/sha256/);
  });
});
