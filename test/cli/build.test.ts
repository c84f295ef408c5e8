// The compiled `ultra` (npm run build, run by `npm ci` / `npm install` as `prepare`) is used only
// while it is the build of the sources as they are: bin/ultra.js checks dist/build-stamp.json
// against the files now and otherwise runs the sources through tsx.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIsCurrent, sourceListing, writeStamp } from '../../scripts/build-stamp.mjs';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '../..');
const folders: string[] = [];

function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ultra-build-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A project folder with three sources, a tsconfig and a build script, all dated 2020-01-01. */
function tinyProject(): string {
  const root = scratch();
  mkdirSync(join(root, 'src', 'lm'), { recursive: true });
  mkdirSync(join(root, 'commands'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'dist'));
  const files = {
    'src/lm/a.ts': 'export const a = 1;\n',
    'src/other.ts': 'export const other = 0;\n',
    'commands/b.ts': 'export const b = 2;\n',
    'tsconfig.json': '{}\n',
    'scripts/build.mjs': '\n',
  };
  for (const [path, text] of Object.entries(files)) {
    writeFileSync(join(root, path), text);
    utimesSync(join(root, path), THEN, THEN);
  }
  return root;
}

const THEN = new Date('2020-01-01T00:00:00Z');

/** As the build leaves it: a bundle made from a.ts and b.ts (other.ts is not one of its inputs). */
function stamped(): string {
  const root = tinyProject();
  writeStamp(root, sourceListing(root), ['commands/b.ts', 'src/lm/a.ts']);
  return root;
}

describe('the build stamp', () => {
  it('lists every source with its size and modification time, sorted', () => {
    const time = THEN.getTime();
    expect(sourceListing(tinyProject())).toEqual([
      ['commands/b.ts', 20, time],
      ['scripts/build.mjs', 1, time],
      ['src/lm/a.ts', 20, time],
      ['src/other.ts', 24, time],
      ['tsconfig.json', 3, time],
    ]);
  });

  it('records the inputs of the bundle, tsconfig.json and the build script', () => {
    const root = stamped();
    const time = THEN.getTime();
    expect(JSON.parse(readFileSync(join(root, 'dist', 'build-stamp.json'), 'utf8'))).toEqual({
      sources: [
        ['commands/b.ts', 20, time],
        ['scripts/build.mjs', 1, time],
        ['src/lm/a.ts', 20, time],
        ['tsconfig.json', 3, time],
      ],
    });
  });

  it('is current right after the build wrote it', () => {
    expect(buildIsCurrent(stamped())).toBe(true);
  });

  it('is not current without a build, or with a stamp that is not one', () => {
    const root = tinyProject();
    expect(buildIsCurrent(root)).toBe(false);
    for (const text of ['{"sources":', '{}', '{"sources":[]}', '{"sources":[[1,2,3]]}']) {
      writeFileSync(join(root, 'dist', 'build-stamp.json'), text);
      expect(buildIsCurrent(root)).toBe(false);
    }
  });

  it('is not current once an input is edited, even to the same size', () => {
    const root = stamped();
    writeFileSync(join(root, 'src', 'lm', 'a.ts'), 'export const a = 3;\n');
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('is not current once an input is touched, or its time is set back', () => {
    const touched = stamped();
    utimesSync(join(touched, 'commands', 'b.ts'), new Date(), new Date());
    expect(buildIsCurrent(touched)).toBe(false);
    const earlier = stamped();
    utimesSync(join(earlier, 'commands', 'b.ts'), new Date('2019-06-01T00:00:00Z'), new Date('2019-06-01T00:00:00Z'));
    expect(buildIsCurrent(earlier)).toBe(false);
  });

  it('is not current once an input is removed', () => {
    const root = stamped();
    rmSync(join(root, 'commands', 'b.ts'));
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('stays current when a file the bundle does not read changes or appears', () => {
    const root = stamped();
    writeFileSync(join(root, 'src', 'other.ts'), 'export const other = 1;\n');
    writeFileSync(join(root, 'src', 'new.ts'), '');
    expect(buildIsCurrent(root)).toBe(true);
  });

  it('is never current for an input that appeared while the build ran', () => {
    const root = tinyProject();
    const listing = sourceListing(root);
    writeFileSync(join(root, 'src', 'new.ts'), '');
    writeStamp(root, listing, ['src/lm/a.ts', 'src/new.ts']);
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('is not current once tsconfig.json or the build script changes', () => {
    const config = stamped();
    writeFileSync(join(config, 'tsconfig.json'), '{ }\n');
    expect(buildIsCurrent(config)).toBe(false);
    const script = stamped();
    writeFileSync(join(script, 'scripts', 'build.mjs'), '//\n');
    expect(buildIsCurrent(script)).toBe(false);
  });
});

describe('bin/ultra.js and the build', () => {
  it('leaves no stamp when the build fails, and fails only when it is not the install step', async () => {
    const root = tinyProject();
    cpSync(join(repo, 'scripts'), join(root, 'scripts'), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'src', 'broken.ts'), 'export const = ;\n');
    writeStamp(root, sourceListing(root), ['src/lm/a.ts']);
    const build = join(root, 'scripts', 'build.mjs');
    const failed = await run(process.execPath, [build, root], { encoding: 'utf8' }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('the build failed');
    expect(buildIsCurrent(root)).toBe(false);
    // npm's prepare: the install goes on, and ultra runs the sources (there is no stamp).
    const prepared = await run(process.execPath, [build, '--prepare', root], { encoding: 'utf8' });
    expect(prepared.stderr).toContain('the build failed');
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('runs the compiled CLI while it is current and the sources once one is edited', async () => {
    const root = projectCopy();
    await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { timeout: 60_000 });
    const help = async () => (await ultraIn(root, ['--help'])).stdout;
    expect(await help()).toMatch(/^usage:\n {2}ultra tokenize/);

    // Marks the compiled help (the stamp is of the sources, so the build stays current): seen.
    const compiled = join(root, 'dist', 'cli', 'main.js');
    writeFileSync(compiled, readFileSync(compiled, 'utf8').replace('usage:', 'compiled usage:'));
    expect(await help()).toMatch(/^compiled usage:\n/);

    // An edit to the sources: the old build is not used any more, the edited source is.
    const source = join(root, 'src', 'cli', 'main.ts');
    writeFileSync(source, readFileSync(source, 'utf8').replace('usage:', 'edited usage:'));
    expect(await help()).toMatch(/^edited usage:\n/);

    // The next build is current again.
    await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { timeout: 60_000 });
    expect(buildIsCurrent(root)).toBe(true);
    expect(await help()).toMatch(/^edited usage:\n/);
  }, 60_000);

  it('answers --help, -h and help without loading the commands, compiled or not', async () => {
    const root = projectCopy();
    // The model's modules cannot load any more: only what needs them fails.
    const lm = join(root, 'src', 'lm', 'index.ts');
    writeFileSync(lm, `throw new Error('the model was loaded');\n${readFileSync(lm, 'utf8')}`);
    for (const built of [false, true]) {
      if (built) await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { timeout: 60_000 });
      expect(buildIsCurrent(root)).toBe(built);
      for (const flag of ['--help', '-h', 'help']) {
        const answer = await ultraIn(root, [flag]);
        expect(answer).toMatchObject({ code: 0, stderr: '' });
        expect(answer.stdout).toMatch(/^usage:\n {2}ultra tokenize < text\n/);
      }
      expect(await ultraIn(root, ['tokenize'])).toEqual({
        code: 2,
        stdout: '',
        stderr: 'ultra: unexpected error: the model was loaded\n',
      });
    }
  }, 60_000);
});

/** A copy of the project (its node_modules linked), not built yet. */
function projectCopy(): string {
  const root = scratch();
  for (const part of ['src', 'commands', 'bin', 'scripts', 'tsconfig.json', 'package.json'])
    cpSync(join(repo, part), join(root, part), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

async function ultraIn(root: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [join(root, 'bin', 'ultra.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  child.child.stdin?.end();
  try {
    return { code: 0, ...(await child) };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}
