// Issue 17: version retention, /export and /import in the manager (the commands are tested over
// the local Discord server in test/bot/transfer.test.ts).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ModelManager } from '../../src/manager/index.js';
import { importName, versionsToPrune } from '../../src/manager/model-transfer.js';
import { parseModelRef } from '../../src/commands/model-ref.js';
import { ana, CORPORA, corpusSource, makeDirs, openManager, rejection, TINY, type TestDirs } from './helpers.js';

let dirs: TestDirs;
let manager: ModelManager;
const g = 'guild-a';
const other = 'guild-b';

beforeEach(async () => {
  dirs = makeDirs('ultra-transfer-');
  manager = await openManager(dirs, {
    limits: {
      maxModels: 25,
      maxBytes: 100 << 20,
      maxTrainingBytes: 1 << 20,
      maxAttachmentBytes: 1 << 20,
      maxFiles: 5,
      maxVersionsPerModel: 3,
    },
  });
});

afterEach(async () => {
  await manager.close();
  dirs.cleanup();
});

const trainEs = () => manager.train(g, ana, [corpusSource(dirs, 'es.txt', CORPORA.es)], TINY, 'new');
const guildFiles = (guildId: string) =>
  existsSync(join(dirs.modelsDir, guildId))
    ? readdirSync(join(dirs.modelsDir, guildId))
        .filter((f) => f.endsWith('.ulm') && !f.startsWith('.'))
        .sort()
    : [];

function fileSource(name: string, bytes: Uint8Array) {
  const path = join(dirs.root, name);
  writeFileSync(path, bytes);
  return { name, size: bytes.byteLength, path };
}

describe('version retention (MAX_VERSIONS_PER_MODEL)', () => {
  test('keeps the newest versions of a name: the fourth save with a limit of 3 removes v1, its row and its file', async () => {
    await trainEs();
    const saved = [];
    for (let i = 0; i < 4; i++) saved.push(await manager.save(g, ana, 'cuentos'));
    expect(saved.map((info) => info.prunedVersions)).toEqual([[], [], [], [1]]);
    expect(manager.list(g)[0].versions.map((info) => info.version)).toEqual([4, 3, 2]);
    expect(guildFiles(g)).toEqual(
      saved
        .slice(1)
        .map((info) => info.filename)
        .sort(),
    );
    const fifth = await manager.save(g, ana, 'cuentos');
    expect(fifth.prunedVersions).toEqual([2]);
    expect(manager.status(g).usage.models).toBe(3);
    expect(manager.status(g).limits.maxVersionsPerModel).toBe(3);
  });

  test('other names and other guilds are untouched', async () => {
    await trainEs();
    await manager.save(g, ana, 'otro');
    for (let i = 0; i < 4; i++) await manager.save(g, ana, 'cuentos');
    expect(manager.list(g).map((listing) => [listing.name, listing.versions.length])).toEqual([
      ['cuentos', 3],
      ['otro', 1],
    ]);
  });

  test('versionsToPrune never removes the active model and keeps everything with keep < 1', () => {
    const rows = [5, 4, 3, 2, 1].map((version) => ({ id: version * 10, version }) as never);
    expect(versionsToPrune(rows, 3).map((row: { version: number }) => row.version)).toEqual([3, 2, 1]);
    expect(versionsToPrune(rows, 3, 20).map((row: { version: number }) => row.version)).toEqual([3, 1]);
    expect(versionsToPrune(rows, 0)).toEqual([]);
  });
});

describe('export', () => {
  test('gives the saved file byte for byte as <name>_v<version>.ulm, any version', async () => {
    await trainEs();
    const v1 = await manager.save(g, ana, 'Cuentos');
    await manager.save(g, ana, 'cuentos');
    const newest = await manager.exportModel(g, 'cuentos');
    expect(newest.filename).toBe('cuentos_v2.ulm'); // each version keeps the spelling it was saved with
    const first = await manager.exportModel(g, 'CUENTOS', 1);
    expect(first.filename).toBe('Cuentos_v1.ulm');
    expect(Buffer.from(first.bytes).equals(readFileSync(join(dirs.modelsDir, g, v1.filename)))).toBe(true);
  });

  test('another guild’s model is not found, a missing version names the ones there are', async () => {
    await trainEs();
    await manager.save(g, ana, 'cuentos');
    expect((await rejection(manager.exportModel(other, 'cuentos'))).code).toBe('MODEL_NOT_FOUND');
    const missing = await rejection(manager.exportModel(g, 'cuentos', 9));
    expect(missing.code).toBe('MODEL_VERSION_NOT_FOUND');
    expect(missing.params.versions).toEqual(['1']);
  });

  test('a damaged file is refused with the damaged-file error, not exported', async () => {
    await trainEs();
    const saved = await manager.save(g, ana, 'cuentos');
    const path = join(dirs.modelsDir, g, saved.filename);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(path, bytes);
    expect((await rejection(manager.exportModel(g, 'cuentos'))).code).toBe('MODEL_CORRUPT');
  });
});

describe('import', () => {
  test('an export becomes a new version under the name in its file name; the working model stays', async () => {
    await trainEs();
    await manager.save(g, ana, 'alfa');
    const exported = await manager.exportModel(g, 'alfa');
    await manager.train(g, ana, [corpusSource(dirs, 'en.txt', CORPORA.en)], TINY, 'new');
    const imported = await manager.importModel(g, ana, fileSource(exported.filename, exported.bytes));
    expect(imported).toMatchObject({ name: 'alfa', version: 2, active: false, prunedVersions: [] });
    expect(manager.hasUnsavedWorkingModel(g)).toBe(true);
    expect(manager.status(g).active.kind).toBe('working');
    await manager.load(g, 'alfa', 2);
    const text = await manager.generate(g, { prompt: 'el gato', maxLength: 5, seed: 1 });
    expect(text.text.length).toBeGreaterThan(0);
  });

  test('into another guild under a new name; both guilds keep their own', async () => {
    await trainEs();
    await manager.save(g, ana, 'alfa');
    const exported = await manager.exportModel(g, 'alfa');
    const imported = await manager.importModel(other, ana, fileSource('anything.ulm', exported.bytes), 'gamma');
    expect(imported).toMatchObject({ name: 'gamma', version: 1 });
    expect(manager.list(other).map((listing) => listing.name)).toEqual(['gamma']);
    expect(manager.list(g).map((listing) => listing.name)).toEqual(['alfa']);
  });

  test('the server’s quotas apply, and the file size limit', async () => {
    await trainEs();
    await manager.save(g, ana, 'alfa');
    const exported = await manager.exportModel(g, 'alfa');
    await manager.close();
    manager = await openManager(dirs, {
      limits: {
        maxModels: 1,
        maxBytes: 100 << 20,
        maxTrainingBytes: 1 << 20,
        maxAttachmentBytes: 1 << 20,
        maxFiles: 5,
      },
    });
    expect((await rejection(manager.importModel(g, ana, fileSource('alfa_v1.ulm', exported.bytes), 'beta'))).code).toBe(
      'QUOTA_MODELS',
    );
    await manager.close();
    manager = await openManager(dirs, {
      limits: { maxModels: 10, maxBytes: 100 << 20, maxTrainingBytes: 1 << 20, maxAttachmentBytes: 1024, maxFiles: 5 },
    });
    expect((await rejection(manager.importModel(g, ana, fileSource('alfa_v1.ulm', exported.bytes), 'beta'))).code).toBe(
      'ATTACHMENT_TOO_LARGE',
    );
    expect(manager.list(g).map((listing) => listing.name)).toEqual(['alfa']);
  });

  test('a file that is no model gets the damaged-file error whatever its name', async () => {
    expect(
      (await rejection(manager.importModel(g, ana, fileSource('my junk.bin', new Uint8Array(5120).fill(7))))).code,
    ).toBe('IMPORT_DAMAGED');
  });

  test('a file name that is no model name needs `name`', async () => {
    await trainEs();
    await manager.save(g, ana, 'alfa');
    const exported = await manager.exportModel(g, 'alfa');
    expect((await rejection(manager.importModel(g, ana, fileSource('my model.ulm', exported.bytes)))).code).toBe(
      'INVALID_MODEL_NAME',
    );
  });

  test('fuzzed files (random bytes, truncations, byte edits of a real export) are never stored and never crash', async () => {
    await trainEs();
    await manager.save(g, ana, 'alfa');
    const exported = (await manager.exportModel(g, 'alfa')).bytes;
    const before = guildFiles(g);
    const fuzzed = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 6000 }),
      fc.nat({ max: exported.length - 1 }).map((length) => exported.slice(0, length)),
      fc
        .array(fc.tuple(fc.nat({ max: exported.length - 1 }), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        })
        .map((edits) => {
          const copy = exported.slice();
          for (const [at, flip] of edits) copy[at] ^= flip;
          return copy;
        }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fuzzed, async (bytes) => {
        const error = await rejection(manager.importModel(g, ana, fileSource(`fuzz${run++}.ulm`, bytes), 'fuzz'));
        expect(['IMPORT_DAMAGED', 'MODEL_INCOMPATIBLE']).toContain(error.code);
      }),
      { numRuns: 120, seed: 17 },
    );
    expect(guildFiles(g)).toEqual(before);
    expect(manager.list(g).map((listing) => listing.name)).toEqual(['alfa']);
  });
});

describe('names of imports and references', () => {
  test('importName drops the export suffix or the saved-file stamp', () => {
    expect(importName('alfa_v3.ulm').display).toBe('alfa');
    expect(importName('Cuentos_20260101_120000.ulm').display).toBe('Cuentos');
    expect(importName('Cuentos_20260101_120000_2.ulm').display).toBe('Cuentos');
    expect(importName('ñandú.ulm').display).toBe('ñandú');
    expect(importName('notas.bin').display).toBe('notas');
  });

  test('parseModelRef reads `name` and `name v2`', () => {
    expect(parseModelRef('alfa')).toEqual({ name: 'alfa', version: undefined });
    expect(parseModelRef(' alfa v2 ')).toEqual({ name: 'alfa', version: 2 });
    expect(parseModelRef('alfa V 12')).toEqual({ name: 'alfa', version: 12 });
    expect(parseModelRef('v2')).toEqual({ name: 'v2', version: undefined });
  });
});
