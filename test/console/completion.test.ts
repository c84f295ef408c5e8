import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completeLine, type CompletionSources } from '../../src/console/completion.js';
import { definitions } from './fixtures.js';
import { tempDir } from './harness.js';

const files = tempDir();
mkdirSync(join(files.path, 'samples'));
writeFileSync(join(files.path, 'samples', 'es-cuentos.txt'), 'x');
writeFileSync(join(files.path, 'samples', 'en-stories.txt'), 'x');
writeFileSync(join(files.path, '.hidden'), 'x');
afterAll(() => files.remove());

const asked: { command: string; focused: { name: string; value: string } }[] = [];
const sources: CompletionSources = {
  commands: definitions(),
  locale: 'en',
  builtins: ['help', 'exit'],
  cwd: files.path,
  autocomplete: async (command, focused) => {
    asked.push({ command: command.definition.name, focused });
    return [
      { name: 'demo · v2 · 2024-01-01 · 12 KB', value: 'demo' },
      { name: 'mis poemas · v1', value: 'mis poemas' },
    ];
  },
};

describe('completeLine', () => {
  it('completes command names and built-ins', async () => {
    expect(await completeLine('/ge', sources)).toEqual([['/generate '], '/ge']);
    expect(await completeLine('/', sources)).toEqual([['/generate ', '/train ', '/load ', '/help ', '/exit '], '/']);
  });

  it('offers localized command names in Spanish', async () => {
    expect(await completeLine('/gen', { ...sources, locale: 'es' })).toEqual([['/generate ', '/generar '], '/gen']);
  });

  it('completes option names not given yet', async () => {
    expect(await completeLine('/generate max_length:3 ', sources)).toEqual([['prompt:', 'temperature:', 'seed:'], '']);
    expect(await completeLine('/train file1:a.txt f', sources)).toEqual([['file2:'], 'f']);
  });

  it('completes choices of an option', async () => {
    expect(await completeLine('/train file1:a mode:a', sources)).toEqual([['mode:append '], 'mode:a']);
  });

  it('asks the command for model names and quotes those with spaces', async () => {
    expect(await completeLine('/load name:', sources)).toEqual([['name:demo ', 'name:"mis poemas" '], 'name:']);
    expect(asked.at(-1)).toEqual({ command: 'load', focused: { name: 'name', value: '' } });
    await completeLine('/load name:"mis po', sources);
    expect(asked.at(-1)).toEqual({ command: 'load', focused: { name: 'name', value: 'mis po' } });
  });

  it('completes attachment paths, directories first without a trailing space', async () => {
    expect(await completeLine('/train file1:sam', sources)).toEqual([['file1:samples/'], 'file1:sam']);
    expect(await completeLine('/train file1:samples/es', sources)).toEqual([
      ['file1:samples/es-cuentos.txt '],
      'file1:samples/es',
    ]);
    expect((await completeLine('/train file1:', sources))[0]).not.toContain('file1:.hidden ');
  });

  it('offers nothing outside a command', async () => {
    expect(await completeLine('hola', sources)).toEqual([[], 'hola']);
    expect(await completeLine('/nope x', sources)).toEqual([[], '/nope x']);
  });
});
