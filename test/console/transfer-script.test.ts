// Issue 17's console script ("must show"), as `npm start` runs it with piped commands: the real
// entry (src/main.ts) in a child process started in a folder of its own, so `/export` writes
// that folder's exports/. Train and save two models, compare them with a prompt and with a
// file, export one, import it under another name, load and generate: exit code 0. A random
// 5 KB file given to /import: exit code 1 with the damaged-file message, nothing stored.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './harness.js';

const root = join(import.meta.dirname, '..', '..');
const dir = tempDir('ultra-transfer-script-');
afterAll(() => dir.remove());

function npmStart(stdin: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
        join(root, 'src', 'main.ts'),
      ],
      {
        cwd: dir.path,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DISCORD_TOKEN: '', LANG: 'en_US.UTF-8', LC_ALL: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

/** A reply without the table's borders and line wraps. */
const flat = (text: string) => text.replace(/[│├┤┬┴╭╮╰╯─┼]/g, ' ').replace(/\s+/g, ' ');

describe('the console script of issue 17', () => {
  it('trains, saves, compares, exports, imports under another name, loads and generates: exit 0', async () => {
    writeFileSync(join(dir.path, 'a.txt'), readFileSync(join(root, 'data', 'samples', 'en-stories.txt')));
    writeFileSync(
      join(dir.path, 'b.txt'),
      'the cat sat on the mat\nthe dog sat on the rug\nthe bird sang in the old tree\nthe fox ran over the hill\n',
    );
    const script = [
      '/train file1:a.txt',
      '/save name:alfa',
      '/train file1:b.txt',
      '/save name:beta',
      '/compare first:alfa second:beta prompt:"the"',
      '/compare first:alfa second:beta file:a.txt',
      '/export name:alfa',
      '/import file:exports/alfa_v1.ulm name:gamma',
      '/load name:gamma',
      '/generate',
    ];
    const result = await npmStart(`${script.join('\n')}\n`);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const out = flat(result.out);
    expect(out).toContain('alfa v1 vs beta v1');
    expect(out).toMatch(/Generation by alfa v1 the .* Generation by beta v1 the /);
    expect(out).toMatch(
      /On a\.txt alfa v1: perplexity [\d.,]+ · unknown words [\d.,]+% · [\d.,]+ bits per character ✅ better beta v1: perplexity/,
    );
    expect(existsSync(join(dir.path, 'exports', 'alfa_v1.ulm'))).toBe(true);
    expect(out).toContain('Stored as gamma v1');
    expect(out).toContain('Loaded gamma v1');
    expect(out).not.toMatch(/✖|Something went wrong/);
    // The imported file is the exported one, byte for byte, under gamma's name.
    const guildDir = join(dir.path, 'models', 'local');
    const gamma = readdirSync(guildDir).find((name) => name.startsWith('gamma_'))!;
    expect(readFileSync(join(guildDir, gamma))).toEqual(readFileSync(join(dir.path, 'exports', 'alfa_v1.ulm')));
  }, 60_000);

  it('a random 5 KB file given to /import: exit 1 with the damaged-file message, nothing stored', async () => {
    writeFileSync(join(dir.path, 'random.ulm'), randomBytes(5 * 1024));
    const result = await npmStart('/import file:random.ulm name:delta\n/models\n');
    expect(result.code).toBe(1);
    expect(flat(result.out)).toMatch(
      /random\.ulm is not a valid model file \(.*\): it is damaged or was not made by \/export\. Nothing was stored\./,
    );
    const models = flat(result.out).split('ultra> /models')[1];
    expect(models).not.toContain('delta');
    const guildDir = join(dir.path, 'models', 'local');
    expect(existsSync(guildDir) ? readdirSync(guildDir).filter((name) => name.startsWith('delta')) : []).toEqual([]);
  }, 60_000);
});
