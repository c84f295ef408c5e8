// `npm start` without a token, as a service manager or a script would run it: the real entry
// point (src/main.ts) in a child process, standard input from a pipe.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness.js';

const root = join(import.meta.dirname, '..', '..');
const dir = tempDir();
afterAll(() => dir.remove());

function npmStart(
  stdin: string,
  lang = 'en_US.UTF-8',
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        // Present but empty: a developer's .env cannot turn this into a bot run.
        DISCORD_TOKEN: '',
        DATA_DIR: join(dir.path, 'data'),
        MODELS_DIR: join(dir.path, 'models'),
        LANG: lang,
        LC_ALL: '',
        ...extraEnv,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

describe('npm start without DISCORD_TOKEN', () => {
  it('exits 1 with one message when standard input carries no command', async () => {
    const result = await npmStart('');
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err.trim().split('\n')[0]).toContain('No DISCORD_TOKEN');
    expect(result.err).toContain('.env');
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('stops with every invalid variable listed and exit 1 instead of running on defaults', async () => {
    const result = await npmStart('/status\n', 'en_US.UTF-8', {
      LOG_LEVEL: 'loud',
      MAX_ATTACHMENT_BYTES: '1KB',
      CACHE_BYTES: 'lots',
    });
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toContain('  - LOG_LEVEL: must be one of');
    expect(result.err).toContain('  - CACHE_BYTES: must be a size');
    expect(result.err).not.toContain('MAX_ATTACHMENT_BYTES');
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('runs piped commands one after another and exits 0 when all succeed', async () => {
    const result = await npmStart(
      '/train file1:data/samples/es-cuentos.txt\n/save name:demo\n/generate prompt:hola\n',
      'es_ES.UTF-8',
    );
    expect(result.err).toBe('');
    expect(result.out).toContain('Entrenamiento terminado');
    expect(result.out).toMatch(/│ Nombre\s+│ demo/);
    expect(result.out).toMatch(/ultra> \/generate prompt:hola\n(hola|Hola)/);
    expect(result.code).toBe(0);
  });
});
