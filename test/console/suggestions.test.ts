// /load and /delete find a model by the same rules (the manager's): a typo gets the same
// suggestions from both, and a missing version the same list of versions.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandModule } from '../../src/commands/context.js';
import { loadConsoleCommands } from '../../src/console/defaults.js';
import { drive, tempDir } from './harness.js';

let commands: CommandModule[];
const dir = tempDir('ultra-suggest-');

beforeAll(async () => {
  commands = await loadConsoleCommands();
});

afterAll(() => dir.remove());

function answers(out: string): string[] {
  return out
    .split(/^ultra> /m)
    .slice(1)
    .map((block) => block.slice(block.indexOf('\n') + 1));
}

describe('finding a model by name', () => {
  it('suggests the same saved names and versions to /load and /delete', async () => {
    const where = { dataDir: join(dir.path, 'data'), modelsDir: join(dir.path, 'models') };
    const script = [
      '/train file1:data/samples/en-stories.txt',
      '/save name:stories',
      '/load name:stor',
      '/delete name:stor',
      '/load name:stories version:4',
      '/delete name:stories version:4',
      '/models',
    ];
    const result = await drive(script, commands, {
      ...where,
      manager: undefined,
      env: { LANG: 'en_US.UTF-8' },
      cwd: process.cwd(),
    });
    const [, , load, remove, loadVersion, removeVersion, models] = answers(result.out);
    expect(load).toContain('stories');
    expect(remove).toBe(load);
    expect(loadVersion).toContain('version 4');
    expect(removeVersion).toBe(loadVersion);
    expect(models).toContain('stories');
  });
});
