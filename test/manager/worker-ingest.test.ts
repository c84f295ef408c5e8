// Uploads are parsed in the training worker: the main thread reads the bytes and transfers them,
// the worker decodes and extracts the lines. A refusal found there reaches the caller as the same
// UserError that parsing on the main thread threw; the outcome's per-file summary is unchanged.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { ingestSources, parseSources, type IngestLimits } from '../../src/ingest/index.js';
import type { ModelManager, TrainingSource } from '../../src/manager/index.js';
import { WorkerPool } from '../../src/manager/worker-pool.js';
import type { TrainingTask } from '../../src/manager/training-protocol.js';
import { ana, CORPORA, corpusSource, makeDirs, openManager, rawDatabase, TINY, type TestDirs } from './helpers.js';

let dirs: TestDirs;
let manager: ModelManager;
let guildCounter = 0;

beforeAll(async () => {
  dirs = makeDirs();
  manager = await openManager(dirs);
});

afterAll(async () => {
  await manager.close();
  dirs.cleanup();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const limits: IngestLimits = { maxFiles: 10, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 20, downloadTimeoutMs: 5000 };

function newGuild(): string {
  return `worker-ingest-${++guildCounter}`;
}

function fileSource(name: string, content: string | Uint8Array): TrainingSource {
  const path = join(dirs.root, name);
  writeFileSync(path, content);
  return { name, size: typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength, path };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function jobsOf(guildId: string): { state: string; error: string | null }[] {
  const db = rawDatabase(dirs);
  const rows = db.prepare('SELECT state, error FROM jobs WHERE guild_id = ? ORDER BY started_at').all(guildId) as {
    state: string;
    error: string | null;
  }[];
  db.close();
  return rows;
}

describe('a parse refusal in the worker', () => {
  it('reaches the caller as the UserError ingestSources throws for the same file (broken JSON)', async () => {
    const broken = fileSource('roto.json', '{"messages": [{"content": "hola"}');
    const expected = await rejection(ingestSources([broken], limits));
    expect(expected).toBeInstanceOf(UserError);

    const guild = newGuild();
    const error = await rejection(manager.train(guild, ana, [broken], TINY, 'new'));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('MALFORMED_FILE');
    expect((error as UserError).params).toEqual((expected as UserError).params);
    expect((error as UserError).params).toMatchObject({ name: 'roto.json', reason: 'json-syntax' });
    // The job row records the refusal; the guild is free for the next training.
    expect(jobsOf(guild)).toEqual([
      { state: 'failed', error: expect.stringContaining('MALFORMED_FILE') as unknown as string },
    ]);
    expect(manager.status(guild).job).toBeNull();
  });

  it('names the file that is empty after markdown extraction, even after a good file', async () => {
    const good = corpusSource(dirs, 'bueno.txt', CORPORA.es);
    const onlyCode = fileSource('solo-código.md', '# \n\n```js\nconst x = 1;\n```\n\n![](imagen.png)\n');
    const error = await rejection(manager.train(newGuild(), ana, [good, onlyCode], TINY, 'new'));
    expect(error).toBeInstanceOf(UserError);
    expect([(error as UserError).code, (error as UserError).params]).toEqual([
      'EMPTY_FILE',
      { name: 'solo-código.md' },
    ]);
  });

  it('keeps the other refusal codes: binary content, mixed encodings', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    const binary = await rejection(manager.train(newGuild(), ana, [fileSource('gato.txt', png)], TINY, 'new'));
    expect([(binary as UserError).code, (binary as UserError).params]).toEqual(['BINARY_FILE', { name: 'gato.txt' }]);
    const mixed = Buffer.concat([Buffer.from('niño\n', 'utf8'), Buffer.from([0xf1, 0x0a])]);
    const encoding = await rejection(manager.train(newGuild(), ana, [fileSource('mezcla.txt', mixed)], TINY, 'new'));
    expect(encoding).toEqual(await rejection(ingestSources([fileSource('mezcla.txt', mixed)], limits)));
    expect((encoding as UserError).code).toBe('BAD_ENCODING');
  });

  it('leaves the worker usable: the same guild trains right after', async () => {
    const guild = newGuild();
    await rejection(manager.train(guild, ana, [fileSource('vacío.json', '[]')], TINY, 'new'));
    const outcome = await manager.train(guild, ana, [corpusSource(dirs, 'después.txt', CORPORA.en)], TINY, 'new');
    expect(outcome.stats.corpus.lines).toBe(5);
  });
});

describe('the training task', () => {
  it('carries each file raw (name, format, bytes, transferred), and no corpus text', async () => {
    const sent: { task: TrainingTask; transfer: readonly unknown[]; copies: Buffer[] }[] = [];
    const original = Worker.prototype.postMessage;
    vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
      this: Worker,
      message: unknown,
      transfer?: readonly unknown[],
    ) {
      const task = message as TrainingTask;
      // Copied before posting: transferred buffers are detached here afterwards.
      if (task.type === 'train')
        sent.push({ task, transfer: transfer ?? [], copies: task.files.map((file) => Buffer.from(file.bytes)) });
      return original.call(this, message, transfer as never);
    });
    const text = 'hola\nqué tal\n';
    const cp1252 = Buffer.from([0xbf, 0x4d, 0x61, 0xf1, 0x61, 0x6e, 0x61, 0x3f, 0x0d, 0x0a]); // "¿Mañana?\r\n" in windows-1252
    const sources = [fileSource('chat.txt', text), fileSource('viejo.log', cp1252)];
    await manager.train(newGuild(), ana, sources, TINY, 'new');

    expect(sent).toHaveLength(1);
    const { task, transfer, copies } = sent[0];
    expect(Object.keys(task)).not.toContain('corpus');
    expect(task.files.map(({ name, format }) => ({ name, format }))).toEqual([
      { name: 'chat.txt', format: 'txt' },
      { name: 'viejo.log', format: 'log' },
    ]);
    expect(copies[0].toString('utf8')).toBe(text);
    expect(copies[1].equals(cp1252)).toBe(true);
    for (const file of task.files) {
      expect(transfer).toContain(file.bytes.buffer);
      // Moved, not cloned: nothing of the upload stays behind on the main thread.
      expect(file.bytes.byteLength).toBe(0);
    }
  });

  it('gives the outcome the per-file summary parsing on the main thread gave', async () => {
    const sources = [
      fileSource(
        'notas.md',
        '# Título\n\nTexto con **énfasis** y [un enlace](https://example.org).\n```\ncódigo\n```\n',
      ),
      fileSource('export.csv', 'author,content\nana,"línea uno\nlínea dos"\nbob,tercera\n'),
      fileSource('datos.json', JSON.stringify({ messages: [{ content: 'desde json' }, { content: '' }] })),
      fileSource('servidor.log', Buffer.from([0x41, 0x64, 0x69, 0xf3, 0x73, 0x0d, 0x0a, 0x53, 0xed, 0x0d, 0x0a])),
    ];
    const expected = await ingestSources(sources, limits);
    const outcome = await manager.train(newGuild(), ana, sources, TINY, 'new');
    expect(outcome.sources).toEqual(
      expected.files.map((file) => ({
        name: file.name,
        lines: file.lines.length,
        bytes: file.bytes,
        format: file.format,
        encoding: file.encoding,
      })),
    );
    expect(outcome.sources.map((source) => source.encoding)).toEqual(['utf-8', 'utf-8', 'utf-8', 'windows-1252']);
    expect(outcome.stats.corpus.lines).toBe(expected.lines.length);
  });
});

describe('WorkerPool.run', () => {
  const pool = new WorkerPool(1);
  afterAll(() => pool.close());

  const task = (files: TrainingTask['files']): TrainingTask => ({
    type: 'train',
    jobId: 'j',
    files,
    params: TINY,
    base: null,
    createdAt: 0,
    seed: 1,
  });

  it('rejects with a UserError rebuilt from the worker (code and params), keeping the worker', async () => {
    const bytes = new TextEncoder().encode('a,message\n1,"sin cerrar\n');
    let expected: unknown;
    try {
      parseSources([{ name: 'roto.csv', format: 'csv', bytes: bytes.slice() }]);
    } catch (error) {
      expected = error;
    }
    const error = await rejection(
      pool.run(task([{ name: 'roto.csv', format: 'csv', bytes }]), () => {}, new AbortController().signal),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error).toEqual(expected);
    expect((error as UserError).params).toEqual({ name: 'roto.csv', reason: 'csv-unclosed-quote', detail: 'line 2' });
    expect(pool.workerCount).toBe(1);
  });

  it('copies a view of a shared buffer instead of detaching the buffer under it', async () => {
    const shared = Buffer.from('uno dos tres\ncuatro cinco seis\n'); // small: a view into Node's buffer pool
    expect(shared.byteLength).toBeLessThan(shared.buffer.byteLength);
    const phases: string[] = [];
    const result = await pool.run(
      task([{ name: 'a.txt', format: 'txt', bytes: shared }]),
      (phase) => phases.push(phase),
      new AbortController().signal,
    );
    expect(shared.toString()).toBe('uno dos tres\ncuatro cinco seis\n');
    expect(result.sources).toEqual([
      { name: 'a.txt', lines: 2, bytes: shared.byteLength, format: 'txt', encoding: 'utf-8' },
    ]);
    expect(result.stats.corpus.lines).toBe(2);
    // Parsing counts as the start of the first training phase: no new phase name.
    expect(phases[0]).toBe('tokenize');
  });

  it.runIf(process.platform === 'linux')(
    'trains in a thread niced below the main thread (Linux: per-thread priority)',
    async () => {
      const niceOfThreads = () =>
        readdirSync('/proc/self/task').map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          // Fields after the parenthesized command name; nice is field 19 (index 16 after it).
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        });
      await pool.run(
        task([{ name: 'b.txt', format: 'txt', bytes: new TextEncoder().encode('uno dos\ntres cuatro\n') }]),
        () => undefined,
        new AbortController().signal,
      );
      expect(niceOfThreads()).toContain(10);
      expect(os.getPriority(0)).toBe(0); // the main thread keeps its priority
    },
  );
});
