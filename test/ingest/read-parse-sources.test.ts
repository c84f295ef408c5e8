// The two halves of ingestSources: readSources (I/O only, on the main thread) and parseSources
// (pure, run by the training worker). Together they must be ingestSources exactly.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ingestSources,
  parseSources,
  readSources,
  type IngestLimits,
  type SourceBytes,
} from '../../src/ingest/index.js';
import type { TrainingSource } from '../../src/manager/types.js';
import { rejectedUserError, thrownUserError, utf16le, utf8, windows1252 } from './helpers.js';

// stat passes through, except for paths told to report a different size: a file that grew or
// shrank between stat and the read, which no real test can time.
const statSizes = vi.hoisted(() => new Map<string, number>());
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    stat: async (path: string) => {
      const info = await actual.stat(path);
      const size = statSizes.get(path);
      if (size === undefined) return info;
      return Object.assign(Object.create(Object.getPrototypeOf(info) as object) as typeof info, info, { size });
    },
  };
});

const KB = 1024;
const limits: IngestLimits = { maxFiles: 5, maxFileBytes: 100 * KB, maxTotalBytes: 150 * KB, downloadTimeoutMs: 2000 };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-parse-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function local(name: string, content: string | Uint8Array): Promise<TrainingSource> {
  const path = join(dir, name.replace(/[^\w.-]/g, '_'));
  await writeFile(path, content);
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  return { name, size, path };
}

/** A buffer of its own: what the manager can transfer to the worker without a copy. */
function ownsItsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

describe('readSources', () => {
  it('returns each file raw, with its format, in order, and the byte total', async () => {
    const json = utf8('{"messages": [');
    const cp1252 = windows1252('¿Mañana?\r\n');
    const sources = [
      await local('roto.json', json),
      await local('notas.md', '```\nx\n```'),
      await local('viejo.log', cp1252),
    ];
    const read = await readSources(sources, limits);
    expect(read.files.map(({ name, format }) => ({ name, format }))).toEqual([
      { name: 'roto.json', format: 'json' },
      { name: 'notas.md', format: 'md' },
      { name: 'viejo.log', format: 'log' },
    ]);
    // Nothing is decoded or parsed: broken JSON and a markdown file with no prose are read as is.
    expect(Buffer.from(read.files[0].bytes).equals(Buffer.from(json))).toBe(true);
    expect(Buffer.from(read.files[1].bytes).toString('utf8')).toBe('```\nx\n```');
    expect(Buffer.from(read.files[2].bytes).equals(Buffer.from(cp1252))).toBe(true);
    expect(read.bytes).toBe(json.byteLength + 9 + cp1252.byteLength);
  });

  it('still refuses what checkSources and the caps refuse, before parsing anything', async () => {
    expect((await rejectedUserError(readSources([await local('foto.png', 'x')], limits))).code).toBe(
      'UNSUPPORTED_FILE_TYPE',
    );
    const a = await local('a.txt', 'a'.repeat(80 * KB));
    const b = await local('b.txt', 'b'.repeat(80 * KB));
    const error = await rejectedUserError(
      readSources(
        [
          { ...a, size: 1 },
          { ...b, size: 1 },
        ],
        limits,
      ),
    );
    expect(error.params).toEqual({ name: 'b.txt', bytes: 160 * KB, limit: 150 * KB });
  });

  it('reports growing progress that ends at 1, and rethrows a cancellation', async () => {
    const fractions: number[] = [];
    await readSources(
      [await local('p1.txt', 'uno\n'.repeat(5000)), await local('p2.txt', 'dos\n'.repeat(5000))],
      limits,
      {
        onProgress: (fraction) => fractions.push(fraction),
      },
    );
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThan(fractions[i - 1]);
    const controller = new AbortController();
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(readSources([await local('c.txt', 'hola')], limits, { signal: controller.signal })).rejects.toBe(
      reason,
    );
  });

  it('reads a local file into a buffer of its own (transferable whole), small or large', async () => {
    const small = await local('small.txt', 'hola\n');
    const large = await local('large.txt', 'línea\n'.repeat(10_000));
    const empty = await local('empty.txt', '');
    const read = await readSources([small, large, empty], limits);
    for (const file of read.files) expect(ownsItsBuffer(file.bytes)).toBe(true);
    expect(read.files.map((file) => file.bytes.byteLength)).toEqual([small.size, large.size, 0]);
  });

  it('reads a file that grew since stat whole, and still refuses it past the cap', async () => {
    const grown = await local('grown.txt', 'x'.repeat(70 * KB));
    statSizes.set(grown.path!, 10);
    const read = await readSources([{ ...grown, size: 10 }], limits);
    expect(read.files[0].bytes.byteLength).toBe(70 * KB);
    expect(Buffer.from(read.files[0].bytes).toString()).toBe('x'.repeat(70 * KB));

    const huge = await local('huge.txt', 'y'.repeat(100 * KB + 5));
    statSizes.set(huge.path!, 100 * KB);
    const error = await rejectedUserError(readSources([{ ...huge, size: 10 }], limits));
    expect(error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(error.params).toEqual({ name: 'huge.txt', bytes: 100 * KB + 1, limit: 100 * KB });
  });

  it('reads a file that shrank since stat as what is there', async () => {
    const shrunk = await local('shrunk.txt', 'corto\n');
    statSizes.set(shrunk.path!, 50);
    const read = await readSources([{ ...shrunk, size: 50 }], limits);
    expect(Buffer.from(read.files[0].bytes).toString()).toBe('corto\n');
  });
});

describe('parseSources', () => {
  const file = (name: string, format: SourceBytes['format'], bytes: Uint8Array): SourceBytes => ({
    name,
    format,
    bytes,
  });

  it('is ingestSources without the reading: same files, lines and bytes', async () => {
    const sources = [
      await local('chat.txt', utf8('hola\nqué tal\n')),
      await local('notas.md', utf8('# Título\n\nTexto con **énfasis**.\n')),
      await local('export.csv', utf8('author,content\nana,"línea uno\nlínea dos"\n')),
      await local('datos.json', utf8(JSON.stringify([{ message: 'desde json' }]), true)),
      await local('le.txt', utf16le('¿Qué tal?\r\nbien')),
    ];
    const read = await readSources(sources, limits);
    expect(parseSources(read.files)).toEqual(await ingestSources(sources, limits));
  });

  it('parses bytes given directly, including a view into a larger buffer', () => {
    const backing = Buffer.from('XXXXuno\ndos\nYYYY');
    const result = parseSources([
      file('vista.txt', 'txt', backing.subarray(4, 12)),
      file('otro.log', 'log', windows1252('Adiós\r\n')),
    ]);
    expect(result.lines).toEqual(['uno', 'dos', 'Adiós']);
    expect(result.files.map(({ name, bytes, encoding, lines }) => ({ name, bytes, encoding, lines }))).toEqual([
      { name: 'vista.txt', bytes: 8, encoding: 'utf-8', lines: ['uno', 'dos'] },
      { name: 'otro.log', bytes: 7, encoding: 'windows-1252', lines: ['Adiós'] },
    ]);
    expect(result.bytes).toBe(15);
  });

  it('throws the first refusal in file order, with the same codes and params', () => {
    const ok = file('ok.txt', 'txt', utf8('hola'));
    expect(thrownUserError(() => parseSources([ok, file('vacío.txt', 'txt', new Uint8Array(0))])).params).toEqual({
      name: 'vacío.txt',
    });
    const blank = thrownUserError(() => parseSources([file('blanco.txt', 'txt', utf8(' \n\t\n'))]));
    expect([blank.code, blank.params]).toEqual(['EMPTY_FILE', { name: 'blanco.txt' }]);
    const code = thrownUserError(() => parseSources([ok, file('code.md', 'md', utf8('```\nx\n```'))]));
    expect([code.code, code.params]).toEqual(['EMPTY_FILE', { name: 'code.md' }]);
    const json = thrownUserError(() =>
      parseSources([file('roto.json', 'json', utf8('{"messages": [')), file('vacío.txt', 'txt', new Uint8Array(0))]),
    );
    expect(json.code).toBe('MALFORMED_FILE');
    expect(json.params).toMatchObject({ name: 'roto.json', reason: 'json-syntax' });
    const binary = thrownUserError(() =>
      parseSources([file('cat.txt', 'txt', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]))]),
    );
    expect([binary.code, binary.params]).toEqual(['BINARY_FILE', { name: 'cat.txt' }]);
  });

  it('refuses no files at all as EMPTY_INPUT', () => {
    const error = thrownUserError(() => parseSources([]));
    expect([error.code, error.params]).toEqual(['EMPTY_INPUT', {}]);
  });
});
