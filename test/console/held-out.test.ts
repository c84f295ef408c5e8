// Issue 19: `validation:0.05` was shown as "validation 0.1", and "Learned N lines" stood beside
// "Corpus M lines" without saying the difference was held out. Through the console with the real
// commands and manager, in English and Spanish.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConsoleCommands } from '../../src/console/defaults.js';
import { drive, tempDir } from './harness.js';

const dir = tempDir();
afterAll(() => dir.remove());

async function trainWithValidation(locale: 'en' | 'es', validation: string): Promise<string> {
  const file = join(dir.path, 'lines.txt');
  writeFileSync(file, Array.from({ length: 200 }, (_, i) => `line number ${i} of the story goes on.`).join('\n'));
  const where = {
    dataDir: join(dir.path, `data-${locale}-${validation}`),
    modelsDir: join(dir.path, `models-${locale}-${validation}`),
  };
  const result = await drive([`/train file1:${file} validation:${validation}`], await loadConsoleCommands(), {
    ...where,
    manager: undefined,
    locale,
    env: { LANG: 'en_US.UTF-8' },
    cwd: dir.path,
    width: 200,
  });
  expect(result.err).toBe('');
  return result.out;
}

describe('validation in the training result', () => {
  it('shows validation:0.05 as 5% and says how many lines were held out and how many learned from', async () => {
    const out = await trainWithValidation('en', '0.05');
    expect(out).toContain('validation 5% of lines held out');
    expect(out).not.toContain('validation 0.1');
    const held =
      /(\d+) of those lines were held out to measure perplexity \(validation\); the model learned from the other (\d+)\./.exec(
        out,
      );
    expect(held).not.toBeNull();
    expect(Number(held![1]) + Number(held![2])).toBe(200);
    expect(out).toMatch(new RegExp(`Corpus +│ ${held![2]} lines`));
  });

  it('in Spanish, and no held-out sentence without validation', async () => {
    const es = await trainWithValidation('es', '0,125');
    expect(es).toContain('validación 12,5 % de las líneas apartado');
    expect(es).toMatch(
      /De ellas, \d+ se apartaron para medir la perplejidad \(validación\); el modelo aprendió de las otras \d+\./,
    );
    const none = await trainWithValidation('en', '0');
    expect(none).toContain('validation none');
    expect(none).not.toContain('held out to measure');
  });
});
