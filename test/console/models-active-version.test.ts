// Issue 19: /models showed "v3" for a model whose active version was v1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConsoleCommands } from '../../src/console/defaults.js';
import { drive, tempDir } from './harness.js';

const dir = tempDir();
afterAll(() => dir.remove());

it('/models describes the active version of a model, and names the newest beside it', async () => {
  const file = join(dir.path, 'a.txt');
  writeFileSync(file, Array.from({ length: 30 }, (_, i) => `the cat number ${i} sat on the mat.`).join('\n'));
  const script = [
    `/train file1:${file}`,
    '/save name:x',
    `/train file1:${file}`,
    '/save name:x',
    `/train file1:${file}`,
    '/save name:x',
    '/load name:x version:1',
    '/models',
  ];
  const result = await drive(script, await loadConsoleCommands(), {
    dataDir: join(dir.path, 'data'),
    modelsDir: join(dir.path, 'models'),
    manager: undefined,
    env: { LANG: 'en_US.UTF-8' },
    cwd: dir.path,
    width: 160,
  });
  const models = result.out.slice(result.out.lastIndexOf('ultra> /models'));
  expect(models).toContain('x — ✅ active');
  expect(models).toContain('v1 (3 versions, newest v3)');
  expect(models).not.toMatch(/│ v3 /);
});
