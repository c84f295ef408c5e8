// Issue 19: every failure of the `ultra` tool is one line on standard error and exit code 2 —
// each subcommand's bad paths (missing file, bad flags, damaged model, unwritable output), and
// an output that cannot be written is refused before the training, not after it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ultra = join(import.meta.dirname, '../../bin/ultra.js');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function ultraCli(args: string[], input = ''): Promise<Outcome> {
  const child = run(process.execPath, [ultra, ...args], { encoding: 'utf8', timeout: 60_000 });
  child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** The promise of the README: exit 2, nothing on stdout, exactly one line on stderr, no stack. */
function expectOneLineFailure(outcome: Outcome, text: string | RegExp): void {
  expect(outcome.code).toBe(2);
  expect(outcome.stdout).toBe('');
  expect(outcome.stderr.endsWith('\n')).toBe(true);
  expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(outcome.stderr).toMatch(/^ultra: /);
  expect(outcome.stderr).not.toMatch(/\s+at \S+ \(/);
  if (typeof text === 'string') expect(outcome.stderr).toContain(text);
  else expect(outcome.stderr).toMatch(text);
}

describe('ultra: every failure is one line on stderr and exit 2', () => {
  let dir: string;
  let corpus: string;
  let model: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ultra-cli-errors-'));
    corpus = join(dir, 'a.md');
    writeFileSync(corpus, Array.from({ length: 30 }, (_, i) => `the cat number ${i} sat on the mat .`).join('\n'));
    model = join(dir, 'm.ulm');
    expect((await ultraCli(['train', corpus, '-o', model, '--order', '3', '--json'])).code).toBe(0);
    const bytes = readFileSync(model);
    writeFileSync(join(dir, 'truncated.ulm'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 10] ^= 0xff;
    writeFileSync(join(dir, 'flipped.ulm'), flipped);
    writeFileSync(join(dir, 'a-file'), 'not a folder');
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no command and an unknown command', async () => {
    const [none, unknown] = await Promise.all([ultraCli([]), ultraCli(['trian'])]);
    expectOneLineFailure(none, 'a command is needed: tokenize, train, eval, generate, info, similar');
    expectOneLineFailure(unknown, 'unknown command "trian"');
  });

  it('tokenize: an unknown flag', async () => {
    expectOneLineFailure(await ultraCli(['tokenize', '--lower'], 'a b\n'), "Unknown option '--lower'");
  });

  it('train: an output folder that does not exist is refused before training, and nothing is written', async () => {
    const target = join(dir, 'no-such-folder', 'x.ulm');
    expectOneLineFailure(
      await ultraCli(['train', corpus, '-o', target]),
      `${target}: cannot write (the folder ${join(dir, 'no-such-folder')} does not exist)`,
    );
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('train: an output that is a folder, or under a file, is refused', async () => {
    const [folder, underFile] = await Promise.all([
      ultraCli(['train', corpus, '-o', dir]),
      ultraCli(['train', corpus, '-o', join(dir, 'a-file', 'x.ulm')]),
    ]);
    expectOneLineFailure(folder, `${dir}: is a directory; -o needs a file name`);
    expectOneLineFailure(underFile, `is not a folder`);
  });

  it('train: missing file, no file, no -o, -o without a value, a bad flag and a bad value', async () => {
    const out = join(dir, 'x.ulm');
    const outcomes = await Promise.all([
      ultraCli(['train', join(dir, 'missing.md'), '-o', out]),
      ultraCli(['train', '-o', out]),
      ultraCli(['train', corpus]),
      ultraCli(['train', corpus, '-o']),
      ultraCli(['train', corpus, '-o', out, '--ordre', '3']),
      ultraCli(['train', corpus, '-o', out, '--validation', '0.9']),
      ultraCli(['train', corpus, '-o', out, '--seed=-1']),
      ultraCli(['train', dir, '-o', out]),
    ]);
    expectOneLineFailure(outcomes[0], `${join(dir, 'missing.md')}: cannot read (ENOENT)`);
    expectOneLineFailure(outcomes[1], 'train needs at least one FILE');
    expectOneLineFailure(outcomes[2], 'train needs -o MODEL');
    expectOneLineFailure(outcomes[3], "Option '-o, --output <value>' argument missing");
    expectOneLineFailure(outcomes[4], "Unknown option '--ordre'");
    expectOneLineFailure(outcomes[5], '--validation must be a number in 0…0.5, got "0.9"');
    expectOneLineFailure(outcomes[6], '--seed must be an integer in 0…, got "-1"');
    expectOneLineFailure(outcomes[7], `${dir}: not a file`);
    expect(existsSync(out)).toBe(false);
  });

  it('eval: missing model, missing text, damaged model, wrong arguments', async () => {
    const outcomes = await Promise.all([
      ultraCli(['eval', join(dir, 'none.ulm'), corpus]),
      ultraCli(['eval', model, join(dir, 'none.txt')]),
      ultraCli(['eval', join(dir, 'truncated.ulm'), corpus]),
      ultraCli(['eval', model]),
    ]);
    expectOneLineFailure(outcomes[0], 'none.ulm: cannot read (ENOENT)');
    expectOneLineFailure(outcomes[1], 'none.txt: cannot read (ENOENT)');
    expectOneLineFailure(outcomes[2], 'truncated.ulm: not a usable model file (truncated');
    expectOneLineFailure(outcomes[3], 'eval needs MODEL FILE');
  });

  it('generate: damaged model, bad values, too many arguments', async () => {
    const outcomes = await Promise.all([
      ultraCli(['generate', join(dir, 'flipped.ulm'), 'the']),
      ultraCli(['generate', model, 'the', '--count', '0']),
      ultraCli(['generate', model, 'the', '--temperature', 'hot']),
      ultraCli(['generate', model, 'the', 'cat']),
      ultraCli(['generate']),
    ]);
    expectOneLineFailure(outcomes[0], 'flipped.ulm: not a usable model file');
    expectOneLineFailure(outcomes[1], '--count must be an integer');
    expectOneLineFailure(outcomes[2], '--temperature must be a number');
    expectOneLineFailure(outcomes[3], 'generate needs MODEL [PROMPT]');
    expectOneLineFailure(outcomes[4], 'generate needs MODEL [PROMPT]');
  });

  it('info and similar: a folder, a text file, a damaged model, bad --k', async () => {
    const outcomes = await Promise.all([
      ultraCli(['info', dir]),
      ultraCli(['info', corpus]),
      ultraCli(['info', join(dir, 'truncated.ulm')]),
      ultraCli(['similar', model]),
      ultraCli(['similar', model, 'cat', '--k', '0']),
      ultraCli(['similar', join(dir, 'flipped.ulm'), 'cat']),
    ]);
    expectOneLineFailure(outcomes[0], `${dir}: cannot read (EISDIR)`);
    expectOneLineFailure(outcomes[1], 'a.md: not a usable model file (foreign');
    expectOneLineFailure(outcomes[2], 'truncated.ulm: not a usable model file (truncated');
    expectOneLineFailure(outcomes[3], 'similar needs MODEL WORD');
    expectOneLineFailure(outcomes[4], '--k must be an integer in 1…1000, got "0"');
    expectOneLineFailure(outcomes[5], 'flipped.ulm: not a usable model file');
  });
});
