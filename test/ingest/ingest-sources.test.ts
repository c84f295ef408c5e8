import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSources, type IngestLimits } from '../../src/ingest/index.js';
import type { TrainingSource } from '../../src/manager/types.js';
import { pseudoRandomBytes, rejectedUserError, utf16be, utf16le, utf8, windows1252 } from './helpers.js';

const KB = 1024;
const limits: IngestLimits = { maxFiles: 5, maxFileBytes: 100 * KB, maxTotalBytes: 150 * KB, downloadTimeoutMs: 2000 };

describe('ingestSources: local files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function local(name: string, content: string | Uint8Array, declaredSize?: number): Promise<TrainingSource> {
    const path = join(dir, name.replace(/[^\w.-]/g, '_'));
    await writeFile(path, content);
    const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    return { name, size: declaredSize ?? size, path };
  }

  it('ingests one file of each format and encoding, in order, with a per-file summary', async () => {
    const sources = [
      await local('chat.txt', utf8('hola\nqué tal\n')),
      await local('notas.md', utf8('# Título\n\nTexto con **énfasis**.\n```\ncódigo\n```\n')),
      await local('export.csv', utf8('author,content\nana,"línea uno\nlínea dos"\n')),
      await local('datos.json', utf8(JSON.stringify([{ message: 'desde json' }]), true)),
      await local('servidor.log', windows1252('¿Mañana? Sí, señor.\r\nAdiós\r\n')),
    ];
    const result = await ingestSources(sources, limits);
    expect(result.lines).toEqual([
      'hola',
      'qué tal',
      'Título',
      'Texto con énfasis.',
      'línea uno',
      'línea dos',
      'desde json',
      '¿Mañana? Sí, señor.',
      'Adiós',
    ]);
    expect(
      result.files.map(({ name, format, encoding, lines }) => ({ name, format, encoding, lines: lines.length })),
    ).toEqual([
      { name: 'chat.txt', format: 'txt', encoding: 'utf-8', lines: 2 },
      { name: 'notas.md', format: 'md', encoding: 'utf-8', lines: 2 },
      { name: 'export.csv', format: 'csv', encoding: 'utf-8', lines: 2 },
      { name: 'datos.json', format: 'json', encoding: 'utf-8', lines: 1 },
      { name: 'servidor.log', format: 'log', encoding: 'windows-1252', lines: 2 },
    ]);
    expect(result.bytes).toBe(sources.reduce((sum, source) => sum + source.size, 0));
    expect(result.files.map((file) => file.bytes)).toEqual(sources.map((source) => source.size));
  });

  it('ingests UTF-16 LE and BE files with byte-order marks', async () => {
    const result = await ingestSources(
      [await local('le.txt', utf16le('¿Qué tal?\r\nbien')), await local('be', utf16be('señor\naño'))],
      limits,
    );
    expect(result.lines).toEqual(['¿Qué tal?', 'bien', 'señor', 'año']);
    expect(result.files.map((file) => file.encoding)).toEqual(['utf-16le', 'utf-16be']);
  });

  it('refuses an empty file, naming it', async () => {
    const error = await rejectedUserError(
      ingestSources([await local('ok.txt', 'hola'), await local('vacío.txt', '')], limits),
    );
    expect(error.code).toBe('EMPTY_FILE');
    expect(error.params).toEqual({ name: 'vacío.txt' });
  });

  it('refuses a whitespace-only file, naming it', async () => {
    const error = await rejectedUserError(
      ingestSources([await local('blanco.txt', utf16le(' \r\n\t\u00a0\n'))], limits),
    );
    expect(error.params).toEqual({ name: 'blanco.txt' });
    expect(error.code).toBe('EMPTY_FILE');
  });

  it('refuses a file whose format leaves no text (markdown of only code, empty JSON array)', async () => {
    expect((await rejectedUserError(ingestSources([await local('code.md', '```\nx\n```')], limits))).code).toBe(
      'EMPTY_FILE',
    );
    expect((await rejectedUserError(ingestSources([await local('vacío.json', '[]')], limits))).params).toEqual({
      name: 'vacío.json',
    });
  });

  it('refuses binary content behind a text extension', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    const error = await rejectedUserError(ingestSources([await local('cat.txt', png)], limits));
    expect(error.code).toBe('BINARY_FILE');
    expect(error.params).toEqual({ name: 'cat.txt' });
    expect(
      (await rejectedUserError(ingestSources([await local('noise', pseudoRandomBytes(2000, 3))], limits))).code,
    ).toBe('BINARY_FILE');
  });

  it('refuses malformed JSON and CSV, naming the file', async () => {
    const json = await rejectedUserError(ingestSources([await local('roto.json', '{"messages": [')], limits));
    expect(json.code).toBe('MALFORMED_FILE');
    expect(json.params.name).toBe('roto.json');
    expect(json.params.reason).toBe('json-syntax');
    const csv = await rejectedUserError(ingestSources([await local('roto.csv', 'a,message\n1,"sin cerrar\n')], limits));
    expect(csv.params).toEqual({ name: 'roto.csv', reason: 'csv-unclosed-quote', detail: 'line 2' });
  });

  it('refuses a file larger than declared by its real size, before reading it', async () => {
    const error = await rejectedUserError(
      ingestSources([await local('mentira.txt', 'x'.repeat(100 * KB + 1), 10)], limits),
    );
    expect(error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(error.params).toEqual({ name: 'mentira.txt', bytes: 100 * KB + 1, limit: 100 * KB });
  });

  it('refuses the file that takes the total over the limit, naming it', async () => {
    const a = await local('a.txt', 'a'.repeat(80 * KB), 1);
    const b = await local('b.txt', 'b'.repeat(80 * KB), 1);
    const error = await rejectedUserError(ingestSources([a, b], limits));
    expect(error.code).toBe('TRAINING_INPUT_TOO_LARGE');
    expect(error.params).toEqual({ name: 'b.txt', bytes: 160 * KB, limit: 150 * KB });
  });

  it('reports a missing path and a directory as download failures', async () => {
    const missing = await rejectedUserError(
      ingestSources([{ name: 'nada.txt', size: 1, path: join(dir, 'does-not-exist.txt') }], limits),
    );
    expect(missing.params).toEqual({ name: 'nada.txt', reason: 'not-found' });
    await mkdir(join(dir, 'carpeta.txt'));
    const directory = await rejectedUserError(
      ingestSources([{ name: 'carpeta.txt', size: 1, path: join(dir, 'carpeta.txt') }], limits),
    );
    expect(directory.params).toEqual({ name: 'carpeta.txt', reason: 'not-a-file' });
  });

  it('reports progress that only grows and ends at 1', async () => {
    const fractions: number[] = [];
    const sources = [await local('p1.txt', 'uno\n'.repeat(5000)), await local('p2.txt', 'dos\n'.repeat(5000))];
    await ingestSources(sources, limits, { onProgress: (fraction) => fractions.push(fraction) });
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThan(fractions[i - 1]);
  });

  it('rethrows the reason of a cancellation', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    controller.abort(reason);
    await expect(ingestSources([await local('c.txt', 'hola')], limits, { signal: controller.signal })).rejects.toBe(
      reason,
    );
  });
});

describe('ingestSources: downloads', () => {
  type Route = (request: IncomingMessage, response: ServerResponse) => void;
  const routes = new Map<string, Route>();
  let server: Server;
  let base: string;
  /** Bytes the endless route wrote before the client went away, and a promise for that moment. */
  let endless: { written: number; closed: Promise<void> } | null = null;

  beforeAll(async () => {
    server = createHttpServer((request, response) => {
      const route = routes.get(new URL(request.url ?? '/', 'http://x').pathname);
      if (route) route(request, response);
      else response.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;

    routes.set('/chat.txt', (_, response) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end(utf8('hola\nqué tal\n')),
    );
    routes.set('/es-1252.txt', (_, response) => response.end(windows1252('¿Qué pasó?\nNiño\n')));
    routes.set('/chunked.txt', (_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('primera parte\n');
      setTimeout(() => response.end('segunda parte\n'), 10);
    });
    routes.set('/sixty-kb.txt', (_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 60; i++) response.write('z'.repeat(KB - 1) + '\n');
      response.end();
    });
    routes.set('/declares-too-much', (_, response) => {
      response.writeHead(200, { 'content-length': String(10 * 1024 * KB) });
      response.write('x'.repeat(KB));
    });
    routes.set('/endless', (request, response) => {
      // Chunked, no Content-Length: only the streaming cap can stop it.
      let written = 0;
      let finish = () => {};
      const closed = new Promise<void>((resolve) => (finish = resolve));
      endless = {
        get written() {
          return written;
        },
        closed,
      };
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.from('ab\n'.repeat(5 * KB));
      const pump = () => {
        while (!response.destroyed && written < 1024 * 1024 * KB) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
      };
      response.on('close', () => finish());
      request.socket.on('close', () => finish());
      pump();
    });
    routes.set('/hang', () => {
      // Never answers.
    });
    routes.set('/trickle', (_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('a first line and then nothing\n');
    });
    routes.set('/truncated', (_, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('only part of it\n', () => response.destroy());
    });
    routes.set('/gone', (_, response) => response.writeHead(410).end('gone'));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const remote = (path: string, size = 10, name = path.slice(1)): TrainingSource => ({ name, size, url: base + path });

  it('downloads text, including windows-1252 and chunked bodies', async () => {
    const result = await ingestSources([remote('/chat.txt'), remote('/es-1252.txt'), remote('/chunked.txt')], limits);
    expect(result.lines).toEqual(['hola', 'qué tal', '¿Qué pasó?', 'Niño', 'primera parte', 'segunda parte']);
    expect(result.files.map((file) => file.encoding)).toEqual(['utf-8', 'windows-1252', 'utf-8']);
  });

  it('refuses a body whose Content-Length is over the cap without reading it', async () => {
    const error = await rejectedUserError(ingestSources([remote('/declares-too-much')], limits));
    expect(error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(error.params).toEqual({ name: 'declares-too-much', bytes: 10 * 1024 * KB, limit: 100 * KB });
  });

  it('stops an endless body that lies about its size as soon as it passes the cap', async () => {
    const started = Date.now();
    const error = await rejectedUserError(ingestSources([remote('/endless', 100)], limits));
    expect(error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(error.params.name).toBe('endless');
    expect(error.params.limit).toBe(100 * KB);
    // The count stops at the first chunk over the cap, not at the end of the body.
    expect(error.params.bytes).toBeGreaterThan(100 * KB);
    expect(error.params.bytes).toBeLessThan(100 * KB + 256 * KB);
    // The connection is dropped: the server stops writing long before the body would end.
    await endless!.closed;
    expect(endless!.written).toBeLessThan(64 * 1024 * KB);
    expect(Date.now() - started).toBeLessThan(limits.downloadTimeoutMs);
  });

  it('counts the total cap across downloads', async () => {
    // Each file is under the per-file limit; together they are over the total.
    const tight = { ...limits, maxTotalBytes: 50 * KB };
    const error = await rejectedUserError(ingestSources([remote('/chat.txt'), remote('/sixty-kb.txt', 1)], tight));
    expect(error.code).toBe('TRAINING_INPUT_TOO_LARGE');
    expect(error.params.name).toBe('sixty-kb.txt');
    expect(error.params.limit).toBe(50 * KB);
    expect(error.params.bytes).toBeGreaterThan(50 * KB);
  });

  it('times out a server that never answers', async () => {
    const error = await rejectedUserError(ingestSources([remote('/hang')], { ...limits, downloadTimeoutMs: 200 }));
    expect(error.code).toBe('DOWNLOAD_TIMEOUT');
    // Timeouts are retried (issue 18): the error says how many attempts were made.
    expect(error.params).toEqual({ name: 'hang', seconds: 0.2, attempts: 3 });
  });

  it('times out a body that stops arriving (the timeout covers the whole body)', async () => {
    const error = await rejectedUserError(ingestSources([remote('/trickle')], { ...limits, downloadTimeoutMs: 200 }));
    expect(error.code).toBe('DOWNLOAD_TIMEOUT');
    expect(error.params).toEqual({ name: 'trickle', seconds: 0.2, attempts: 3 });
  });

  it('rethrows the reason when the caller cancels a download in flight', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    setTimeout(() => controller.abort(reason), 50);
    await expect(ingestSources([remote('/hang')], limits, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('reports an HTTP error status', async () => {
    const error = await rejectedUserError(ingestSources([remote('/gone')], limits));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.params).toEqual({ name: 'gone', reason: 'http-status', status: 410 });
  });

  it('reports a body cut short of its Content-Length as a network failure', async () => {
    const error = await rejectedUserError(ingestSources([remote('/truncated')], limits));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.params.name).toBe('truncated');
    expect(error.params.reason).toBe('network');
  });

  it('reports a refused connection as a network failure', async () => {
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejectedUserError(
      ingestSources([{ name: 'x.txt', size: 1, url: `http://127.0.0.1:${port}/x.txt` }], limits),
    );
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.params.reason).toBe('network');
    expect(String(error.params.detail)).toContain('ECONNREFUSED');
  });

  it('keeps only the declared Content-Length from a server that sends more than it declared', async () => {
    // A raw socket, because node:http will not send more than the length it declared. fetch
    // stops at the declared length, so the extra megabytes never reach the byte count.
    const liar: TcpServer = createTcpServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n');
        socket.end(Buffer.from('hola mundo!\n'.repeat(100 * KB)));
      });
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const { port } = liar.address() as { port: number };
    try {
      const result = await ingestSources([{ name: 'liar.txt', size: 12, url: `http://127.0.0.1:${port}/` }], limits);
      expect(result.bytes).toBe(12);
      expect(result.lines).toEqual(['hola mundo!']);
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      calls.push(String(input));
      return new Response('desde el fetch inyectado\n');
    }) as typeof fetch;
    const result = await ingestSources([{ name: 'fake.txt', size: 25, url: 'https://cdn.example/fake.txt' }], limits, {
      fetchImpl: fakeFetch,
    });
    expect(calls).toEqual(['https://cdn.example/fake.txt']);
    expect(result.lines).toEqual(['desde el fetch inyectado']);
  });

  it('checks every source before downloading any', async () => {
    let fetched = 0;
    const countingFetch = (async () => {
      fetched++;
      return new Response('x');
    }) as unknown as typeof fetch;
    const error = await rejectedUserError(
      ingestSources([remote('/chat.txt'), { name: 'virus.exe', size: 1, url: `${base}/virus.exe` }], limits, {
        fetchImpl: countingFetch,
      }),
    );
    expect(error.params).toEqual({ name: 'virus.exe', type: '.exe' });
    expect(fetched).toBe(0);
  });
});
