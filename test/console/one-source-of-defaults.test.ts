// One source of generation defaults (issue 15): the sample after /train, /generate in the
// console (the same command file the bot runs), the saved file decoded in process and
// `ultra generate` without sampling flags all give the same text for the same model, prompt and
// seed. No front end may add settings of its own.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandModule } from '../../src/commands/context.js';
import { loadConsoleCommands } from '../../src/console/defaults.js';
import { decode } from '../../src/lm/index.js';
import { drive, tempDir } from './harness.js';

const run = promisify(execFile);
const ultra = join(import.meta.dirname, '../../bin/ultra.js');
/** The manager's training seed when none is configured: /generate seed:1 repeats the /train sample. */
const TRAINING_SEED = 1;

let commands: CommandModule[];
const dir = tempDir('ultra-defaults-');

beforeAll(async () => {
  commands = await loadConsoleCommands();
});

afterAll(() => dir.remove());

const words = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The console's answers, one per command line. */
function answers(out: string): string[] {
  return out
    .split(/^ultra> /m)
    .slice(1)
    .map((block) => block.slice(block.indexOf('\n') + 1));
}

/** The Sample cell of the training table (second column, over as many rows as it wraps). */
function sampleCell(train: string): string {
  const rows = train.split('\n');
  const start = rows.findIndex((row) => /^│ Sample\s+│/.test(row));
  expect(start).toBeGreaterThan(-1);
  const cell: string[] = [];
  for (let i = start; i < rows.length && rows[i]!.startsWith('│'); i++) {
    const columns = rows[i]!.split('│');
    if (i > start && columns[1]!.trim() !== '') break;
    cell.push(columns[2]!);
  }
  return words(cell.join(' '));
}

/** A console /generate answer without its footer line. */
function generated(answer: string): string {
  const lines = answer.trimEnd().split('\n');
  expect(lines.at(-1)).toMatch(/tokens · \d+ ms/);
  return words(lines.slice(0, -1).join(' '));
}

async function ultraGenerate(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [ultra, 'generate', ...args], { encoding: 'utf8', timeout: 60_000 });
  return words(stdout);
}

describe('one source of generation defaults', () => {
  it('gives the /train sample, console /generate, the decoded file and ultra generate the same text', async () => {
    const where = { dataDir: join(dir.path, 'data'), modelsDir: join(dir.path, 'models') };
    const script = [
      '/train file1:data/samples/en-stories.txt',
      '/save name:shared',
      `/generate seed:${TRAINING_SEED}`,
      '/generate prompt:"Once upon" seed:5',
      '/generate prompt:"the old" seed:99 max_length:12',
    ];
    const result = await drive(script, commands, {
      ...where,
      manager: undefined,
      env: { LANG: 'en_US.UTF-8' },
      cwd: process.cwd(),
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const [train, , plain, prompted, short] = answers(result.out);
    const file = join(
      where.modelsDir,
      'local',
      readdirSync(join(where.modelsDir, 'local')).find((name) => name.startsWith('shared'))!,
    );
    const model = decode(readFileSync(file), { counts: false });

    const sample = sampleCell(train!);
    expect(sample.split(' ').length).toBeGreaterThanOrEqual(4);
    expect(generated(plain!)).toBe(sample);
    expect(words(model.generate({ seed: TRAINING_SEED }).text)).toBe(sample);
    expect(await ultraGenerate([file, '--seed', String(TRAINING_SEED)])).toBe(sample);

    const withPrompt = words(model.generate({ prompt: 'Once upon', seed: 5 }).text);
    expect(withPrompt.startsWith('Once upon')).toBe(true);
    expect(generated(prompted!)).toBe(withPrompt);
    expect(await ultraGenerate([file, 'Once upon', '--seed', '5'])).toBe(withPrompt);

    const capped = words(model.generate({ prompt: 'the old', seed: 99, maxLength: 12 }).text);
    expect(generated(short!)).toBe(capped);
    expect(await ultraGenerate([file, 'the old', '--seed', '99', '--max-length', '12'])).toBe(capped);
  });
});
