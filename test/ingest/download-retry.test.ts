import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSources, type IngestLimits } from '../../src/ingest/index.js';
import { describeError } from '../../src/i18n/index.js';
import { rejectedUserError } from './helpers.js';

const limits: IngestLimits = { maxFiles: 5, maxFileBytes: 10_000, maxTotalBytes: 20_000, downloadTimeoutMs: 2000 };
const fast = { retryDelaysMs: [5, 5] };

describe('downloads: transient failures are retried', () => {
  let server: Server;
  let base = '';
  const hits = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? '/';
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      if (path === '/flaky.txt' && hit <= 2) {
        response.writeHead(503).end('busy');
        return;
      }
      if (path === '/broken.txt') {
        response.writeHead(500).end('no');
        return;
      }
      if (path === '/gone.txt') {
        response.writeHead(404).end('no');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end('hello there');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('gets a file after two 503 answers', async () => {
    const read = await readSources([{ name: 'flaky.txt', size: 11, url: `${base}/flaky.txt` }], limits, fast);
    expect(Buffer.from(read.files[0].bytes).toString()).toBe('hello there');
    expect(hits.get('/flaky.txt')).toBe(3);
  });

  it('reports the status and the attempts when every attempt fails, in words', async () => {
    const error = await rejectedUserError(
      readSources([{ name: 'broken.txt', size: 1, url: `${base}/broken.txt` }], limits, fast),
    );
    expect(error.params).toEqual({ name: 'broken.txt', reason: 'http-status', status: 500, attempts: 3 });
    expect(hits.get('/broken.txt')).toBe(3);
    expect(describeError('en', error)).toBe(
      '**broken.txt** could not be downloaded: the server answered HTTP 500 (a fault on its side) (3 attempts). Try again in a moment.',
    );
    expect(describeError('es', error)).toContain('el servidor respondió HTTP 500 (un fallo suyo) (3 intentos)');
    expect(describeError('en', error)).not.toContain('http-status');
  });

  it('does not retry a 404, and says the file is gone', async () => {
    const error = await rejectedUserError(
      readSources([{ name: 'gone.txt', size: 1, url: `${base}/gone.txt` }], limits, fast),
    );
    expect(hits.get('/gone.txt')).toBe(1);
    expect(describeError('en', error)).toContain(
      'the server answered HTTP 404 (the file is no longer there: upload it again)',
    );
  });
});
