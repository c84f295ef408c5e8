import { describe, expect, it } from 'vitest';
import { checkSources, type IngestLimits } from '../../src/ingest/index.js';
import type { TrainingSource } from '../../src/manager/types.js';
import { thrownUserError } from './helpers.js';

const limits: IngestLimits = { maxFiles: 3, maxFileBytes: 1000, maxTotalBytes: 1500, downloadTimeoutMs: 1000 };
const file = (name: string, size = 10, extra: Partial<TrainingSource> = {}): TrainingSource => ({
  name,
  size,
  url: `https://cdn.discordapp.com/attachments/1/2/${encodeURIComponent(name)}`,
  ...extra,
});

describe('checkSources', () => {
  it('accepts supported files within every limit', () => {
    expect(() => checkSources([file('a.txt', 500), file('b.csv', 500), file('c.json', 500)], limits)).not.toThrow();
  });

  it('refuses a request without files', () => {
    const error = thrownUserError(() => checkSources([], limits));
    expect(error.code).toBe('EMPTY_INPUT');
    expect(error.params).toEqual({});
  });

  it('refuses more files than allowed', () => {
    const error = thrownUserError(() =>
      checkSources([file('a.txt'), file('b.txt'), file('c.txt'), file('d.txt')], limits),
    );
    expect(error.code).toBe('TOO_MANY_FILES');
    expect(error.params).toEqual({ count: 4, limit: 3 });
  });

  it('refuses a file whose declared size is over the per-file limit, naming it', () => {
    const error = thrownUserError(() => checkSources([file('a.txt'), file('grande.txt', 1001)], limits));
    expect(error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(error.params).toEqual({ name: 'grande.txt', bytes: 1001, limit: 1000 });
  });

  it('refuses files whose declared sizes together are over the total limit', () => {
    const error = thrownUserError(() => checkSources([file('a.txt', 800), file('b.txt', 800)], limits));
    expect(error.code).toBe('TRAINING_INPUT_TOO_LARGE');
    expect(error.params).toEqual({ bytes: 1600, limit: 1500 });
  });

  it.each([
    ['setup.exe', 'application/x-msdownload', '.exe'],
    ['gato.png', 'image/png', '.png'],
    ['paper.pdf', 'application/pdf', '.pdf'],
    ['foto', 'image/jpeg', 'image/jpeg'],
  ])('refuses %s as an unsupported type', (name, contentType, type) => {
    const error = thrownUserError(() => checkSources([file('ok.txt'), file(name, 10, { contentType })], limits));
    expect(error.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(error.params).toEqual({ name, type });
  });

  it('passes hostile file names through unchanged (the i18n layer escapes them)', () => {
    const name = '../../../etc/passwd\u0000 <@everyone> `**@here**` \u202eexe.txt'.replace(/\.txt$/, '.exe');
    const error = thrownUserError(() => checkSources([file(name)], limits));
    expect(error.params).toEqual({ name, type: '.exe' });
    const long = `${'ñ'.repeat(10_000)}.txt`;
    expect(thrownUserError(() => checkSources([file(long, 5000)], limits)).params).toEqual({
      name: long,
      bytes: 5000,
      limit: 1000,
    });
  });

  it('refuses a url that is not http(s)', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/a.txt', 'javascript:alert(1)', 'not a url']) {
      const error = thrownUserError(() => checkSources([file('a.txt', 10, { url })], limits));
      expect(error.code).toBe('DOWNLOAD_FAILED');
      expect(error.params).toEqual({ name: 'a.txt', reason: 'not-http-url' });
    }
  });

  it('refuses a source with neither url nor path', () => {
    const error = thrownUserError(() => checkSources([{ name: 'a.txt', size: 1 }], limits));
    expect(error.params).toEqual({ name: 'a.txt', reason: 'no-location' });
  });

  it('accepts a local path, and treats an unknown or negative declared size as 0', () => {
    expect(() =>
      checkSources(
        [
          { name: 'a.txt', size: Number.NaN, path: '/tmp/a.txt' },
          { name: 'b.txt', size: -5, path: '/tmp/b.txt' },
        ],
        limits,
      ),
    ).not.toThrow();
  });
});
