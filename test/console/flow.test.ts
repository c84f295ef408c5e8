// The whole product through the console, as a script would drive it: the real command files,
// the real manager, a temporary database and models directory.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandModule } from '../../src/commands/context.js';
import { loadConsoleCommands } from '../../src/console/defaults.js';
import { drive, tempDir } from './harness.js';

let commands: CommandModule[];
const dirs: { remove(): void }[] = [];

beforeAll(async () => {
  commands = await loadConsoleCommands();
});

afterAll(() => {
  for (const dir of dirs) dir.remove();
});

function workspace() {
  const dir = tempDir();
  dirs.push(dir);
  return { dataDir: join(dir.path, 'data'), modelsDir: join(dir.path, 'models') };
}

/** Output split at each echoed command: the answer of each command line, in order. */
function answers(out: string): string[] {
  return out
    .split(/^ultra> /m)
    .slice(1)
    .map((block) => block.slice(block.indexOf('\n') + 1));
}

describe('console flow with the real commands and manager', () => {
  it('trains, saves, lists, loads, generates, reports status and deletes, in English', async () => {
    const where = workspace();
    const script = [
      '/train file1:data/samples/en-stories.txt',
      '/save name:stories',
      '/models',
      '/load name:stories',
      '/generate prompt:"Once upon a time" max_length:20 seed:7',
      '/status',
      '/delete name:stories',
      '1',
      '/models',
    ];
    const result = await drive(script, commands, {
      ...where,
      manager: undefined,
      env: { LANG: 'en_US.UTF-8' },
      cwd: process.cwd(),
    });
    const [train, save, models, load, generate, status, remove, modelsAfter] = answers(result.out);
    expect(result.err).toBe('');
    expect(train).toContain('Training finished');
    expect(train).toMatch(/│ Vocabulary\s+│ \d/);
    expect(save).toMatch(/│ Name\s+│ stories/);
    expect(models).toContain('stories');
    expect(load).toContain('Loaded stories v1');
    expect(generate!.startsWith('Once upon a time')).toBe(true);
    expect(generate).toMatch(/\d+ tokens · \d+ ms/);
    expect(status).toMatch(/│ Active model\s+│ stories v1/);
    expect(remove).toContain('[1] Delete  [2] Cancel');
    expect(remove).toContain('Deleted stories');
    expect(modelsAfter).not.toContain('stories v1');
    expect(readdirSync(join(where.modelsDir, 'local')).filter((name) => name.startsWith('stories'))).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('does the same in Spanish, with Spanish command names, the Save button and its form', async () => {
    const where = workspace();
    const script = [
      '/entrenar archivo1:data/samples/es-cuentos.txt',
      '1',
      'cuentos',
      '/modelos',
      '/cargar nombre:cuentos',
      '/generar inicio:"Había una vez" longitud_max:20 semilla:3',
      '/estado',
      '/borrar nombre:cuentos',
      'borrar',
    ];
    const result = await drive(script, commands, {
      ...where,
      manager: undefined,
      env: { LANG: 'es_ES.UTF-8' },
      cwd: process.cwd(),
    });
    const [train, models, load, generate, status, remove] = answers(result.out);
    expect(train).toContain('[1] Guardar');
    expect(train).toContain('opción [1]> 1');
    expect(train).toMatch(/: cuentos\n/);
    expect(train).toMatch(/│ Nombre\s+│ cuentos/);
    expect(models).toContain('cuentos');
    expect(load).toMatch(/cuentos v1/);
    expect(generate!.startsWith('Había una vez')).toBe(true);
    expect(status).toMatch(/cuentos v1/);
    expect(remove).toContain('[1] Borrar  [2] Cancelar');
    expect(remove).toMatch(/Borrado cuentos/);
    expect(result.code).toBe(0);
    expect(existsSync(join(where.dataDir, 'ultraefficient.sqlite'))).toBe(true);
  });

  it('exits 1 when a command fails, answering in the terminal language', async () => {
    const where = workspace();
    const result = await drive(['/generate prompt:hola', '/load name:nada'], commands, {
      ...where,
      manager: undefined,
      env: { LANG: 'es_AR.UTF-8' },
    });
    const [generate, load] = answers(result.out);
    expect(generate).toMatch(/^✖ .*\/entrenar/m);
    expect(load).toMatch(/^✖ /m);
    expect(result.code).toBe(1);
  });

  it('refuses an attachment path that does not exist before training', async () => {
    const where = workspace();
    const result = await drive(['/train file1:./no/such/file.txt'], commands, { ...where, manager: undefined });
    expect(result.out).toContain('✖ No file at ./no/such/file.txt');
    expect(result.code).toBe(1);
  });
});
