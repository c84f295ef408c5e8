// Issue 17's "must show": the database file deleted under a running console, the next /save is
// refused with the operator error; after a restart and `npm run recover`, every saved model is
// listed and loads. Real processes: the console (`npm start`'s entry) and the recover script.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { ConsoleProcess } from './console-process.js';
import { tempDir } from './harness.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const GUILD = '520000000000000001';
const dir = tempDir('ultra-lost-db-');
const dataDir = join(dir.path, 'data');
const modelsDir = join(dir.path, 'models');
let consoleProcess: ConsoleProcess | null = null;

/** A reply without the table's borders and line wraps. */
const flat = (text: string) => text.replace(/[│├┤┬┴╭╮╰╯─┼]/g, ' ').replace(/\s+/g, ' ');

afterAll(async () => {
  await consoleProcess?.end();
  dir.remove();
});

it('refuses /save after the database file is deleted, and recover brings every saved model back after a restart', async () => {
  const a = join(dir.path, 'a.txt');
  const b = join(dir.path, 'b.txt');
  writeFileSync(a, 'the cat sat on the mat\nthe dog sat on the rug\na bird sang in the tree\n');
  writeFileSync(b, 'rain falls over grey hills\ncold wind blows across wet fields\nsunshine warms quiet meadows\n');
  consoleProcess = new ConsoleProcess({ guildId: GUILD, dataDir, modelsDir });
  await consoleProcess.send(`/train file1:${a}`, /Training finished/);
  await consoleProcess.send('/save name:alfa', /Model saved/);
  await consoleProcess.send(`/train file1:${b}`, /Training finished/);
  await consoleProcess.send('/save name:beta', /Model saved/);
  await consoleProcess.send(`/train file1:${a}`, /Training finished/);

  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `ultraefficient.sqlite${suffix}`), { force: true });
  const refused = await consoleProcess.send('/save name:gamma', /recover/);
  expect(flat(refused)).toMatch(
    /database file was removed while the bot was running.*restart the bot, then run `?npm run recover/s,
  );
  await consoleProcess.end();
  expect(consoleProcess.child.exitCode).toBe(1);
  const log = readFileSync(join(dataDir, 'console.log'), 'utf8');
  expect(log.split('\n').filter((line) => line.includes('"level":50'))).toHaveLength(1);
  expect(log).toMatch(/the database file was removed while the bot ran/);

  // Restart: the reconcile moves the files aside and /status says so.
  consoleProcess = new ConsoleProcess({ guildId: GUILD, dataDir, modelsDir });
  const status = await consoleProcess.send('/status', /Uptime/);
  expect(flat(status)).toMatch(/2 model files of this server were found without a record/);
  expect(flat(status)).toMatch(/npm run recover/);
  expect(await consoleProcess.send('/models', /no saved models yet/)).not.toMatch(/alfa/);

  const recovered = await run(process.execPath, ['--import', 'tsx', 'src/ops/recover.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, MODELS_DIR: modelsDir },
  });
  expect(recovered.stdout).toMatch(/registered 520000000000000001: alfa v1/);
  expect(recovered.stdout).toMatch(/registered 520000000000000001: beta v1/);
  expect(recovered.stdout).toMatch(/2 model file\(s\) registered, 0 skipped/);

  const models = await consoleProcess.send('/models', /beta/);
  expect(models).toMatch(/alfa/);
  expect(await consoleProcess.send('/load name:alfa', /Loaded|✖/)).toMatch(/Loaded/);
  expect(await consoleProcess.send('/generate seed:1', /ultra> |tokens/)).not.toMatch(/✖/);
  expect(await consoleProcess.send('/load name:beta', /Loaded|✖/)).toMatch(/Loaded/);
  expect(await consoleProcess.send('/status', /Uptime/)).not.toMatch(/without a record/);
}, 60_000);
