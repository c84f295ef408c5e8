import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ERROR_CODES, UserError } from '../../src/errors.js';
import {
  CATALOGUES,
  describeCode,
  describeError,
  escapeMarkdown,
  formatBytes,
  formatDuration,
  formatPercent,
  hasMessage,
  localizations,
  markdown,
  resolveLocale,
  translate,
  translator,
} from '../../src/i18n/index.js';
import { en } from '../../src/i18n/en.js';

/** Every parameter some code documents (src/errors.ts), so each message can fill its own. */
const COMMON_PARAMS = {
  name: 'x.txt',
  bytes: 2048,
  limit: 1024,
  usedBytes: 512,
  seconds: 3,
  reason: 'r',
  type: 'image/png',
  detail: 'd',
  value: 'v',
  version: 2,
  versions: ['1'],
  suggestions: [],
  percent: 10,
  phase: 'count',
  count: 6,
  retryAfterSeconds: 30,
  permission: 'Manage Server',
  reference: 'ref',
};

const SAMPLE_PARAMS: Record<string, Record<string, unknown>> = {
  TOO_MANY_FILES: { count: 7, limit: 5 },
  ATTACHMENT_TOO_LARGE: { name: 'big.txt', bytes: 20 * 1024 * 1024, limit: 10 * 1024 * 1024 },
  TRAINING_INPUT_TOO_LARGE: { bytes: 30 * 1024 * 1024, limit: 20 * 1024 * 1024 },
  UNSUPPORTED_FILE_TYPE: { name: 'a.png', type: 'image/png' },
  MODEL_NOT_FOUND: { name: 'quijot', suggestions: ['quijote', 'quinto'] },
  MODEL_VERSION_NOT_FOUND: { name: 'q', version: 9, versions: ['1', '2'] },
  MODEL_CORRUPT: { name: null, version: null, detail: 'checksum' },
  ALREADY_TRAINING: { percent: 42, phase: 'count' },
  JOBS_BUSY: { retryAfterSeconds: 90 },
  COOLDOWN: { seconds: 2.4 },
  INTERNAL: { reference: 'ab12cd34ef' },
  BAD_COMMAND_LINE: { reason: 'missing-option', command: 'save', options: ['name'] },
};

describe('catalogues', () => {
  test('English and Spanish have exactly the same keys', () => {
    expect(Object.keys(CATALOGUES.es).sort()).toEqual(Object.keys(en).sort());
  });

  test.each(ERROR_CODES.map((code) => [code]))('%s has a message in both languages that is not the key', (code) => {
    for (const locale of ['en', 'es'] as const) {
      expect(hasMessage(`error.${code}`)).toBe(true);
      const text = describeCode(locale, code, { ...COMMON_PARAMS, ...SAMPLE_PARAMS[code] } as never);
      expect(text.length).toBeGreaterThan(20);
      expect(text).not.toContain(`error.${code}`);
      expect(text).not.toMatch(/undefined|\[object Object\]|NaN/);
    }
  });

  test('every message key the commands use exists', () => {
    const roots = ['commands', 'src/commands'];
    const used = new Set<string>();
    for (const root of roots) {
      for (const file of readdirSync(join(process.cwd(), root)).filter((name) => name.endsWith('.ts'))) {
        const source = readFileSync(join(process.cwd(), root, file), 'utf8');
        for (const match of source.matchAll(/\bt\('([a-zA-Z.]+)'/g)) used.add(match[1]);
      }
    }
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((key) => !hasMessage(key))).toEqual([]);
  });
});

describe('describeError', () => {
  test('says what to do, in the reader’s language, with values formatted for it', () => {
    expect(
      describeError(
        'en',
        new UserError('ATTACHMENT_TOO_LARGE', { name: 'big.txt', bytes: 15 * 1024 * 1024, limit: 10 * 1024 * 1024 }),
      ),
    ).toBe(
      '**big.txt** is 15 MB; each file may be at most 10 MB. Split it into smaller files and train with `mode: add to current model`.',
    );
    expect(describeError('es', new UserError('COOLDOWN', { seconds: 2.5 }))).toBe(
      'Más despacio: podrás usar este comando de nuevo dentro de 2,5 s.',
    );
    expect(describeError('es', new UserError('ALREADY_TRAINING', { percent: 42, phase: 'count' }))).toBe(
      'Ya hay un entrenamiento en curso en este servidor (42 %, contando patrones). Espera a que termine; `/estado` muestra su progreso.',
    );
  });

  test('escapes user-supplied values so they cannot format, link or mention', () => {
    const text = describeError(
      'en',
      new UserError('MODEL_NOT_FOUND', { name: '**x**[y](https://e.x) <@1>', suggestions: [] }),
    );
    expect(text).toBe(
      'This server has no model called **\\*\\*x\\*\\*\\[y\\]\\(https://e.x\\) \\<@1\\>**. `/models` lists the saved ones.',
    );
  });

  test('anything that is not a UserError becomes the internal message, never its text', () => {
    expect(describeError('en', new Error('secret stack'))).not.toContain('secret');
  });
});

describe('locale resolution and formatting', () => {
  test('the user’s language first, then the guild’s, then English', () => {
    expect(resolveLocale('es-419', 'en-US')).toBe('es');
    expect(resolveLocale('fr', 'es-ES')).toBe('es');
    expect(resolveLocale('de', 'ja')).toBe('en');
    expect(resolveLocale(undefined, null)).toBe('en');
    expect(resolveLocale('en-GB', 'es-ES')).toBe('en');
  });

  test('localizations cover en-US, en-GB, es-ES and es-419', () => {
    expect(localizations('cmd.train.name')).toEqual({
      'en-US': 'train',
      'en-GB': 'train',
      'es-ES': 'entrenar',
      'es-419': 'entrenar',
    });
  });

  test('numbers, sizes, durations and percentages per language', () => {
    expect(formatBytes('en', 1536)).toBe('1.5 KB');
    expect(formatBytes('es', 1536)).toBe('1,5 KB');
    expect(formatBytes('en', 512)).toBe('512 B');
    expect(formatDuration('en', 850)).toBe('850 ms');
    expect(formatDuration('en', 185_000)).toBe('3 min 5 s');
    expect(formatDuration('es', 2 * 3600_000 + 60_000)).toBe('2 h 1 min');
    expect(formatPercent('en', 0.427)).toBe('42%');
    expect(formatPercent('es', 0.427)).toBe('42 %');
    expect(translate('es', 'stats.corpusValue', { lines: 12345, tokens: 1000 })).toBe('12.345 líneas · 1.000 palabras');
  });

  test('templates escape parameters unless they are marked as markdown', () => {
    const t = translator('en');
    expect(t('models.selected', { name: 'a_b' })).toBe('Selected: **a\\_b**');
    expect(
      t('train.progress.line', { bar: markdown('▰▱'), percent: markdown('5%'), phase: markdown('x'), eta: null }),
    ).toBe('▰▱ 5% · x');
    expect(t('no.such.key')).toBe('no.such.key');
  });

  test('escapeMarkdown neutralizes inline markers, headings, quotes, lists and subtext', () => {
    expect(escapeMarkdown('# title\n> quote\n- item\n1. first\n-# small')).toBe(
      '\\# title\n\\> quote\n\\- item\n1\\. first\n-\\# small',
    );
    expect(escapeMarkdown('a_b*c~d`e|f')).toBe('a\\_b\\*c\\~d\\`e\\|f');
    expect(escapeMarkdown('plain words, 3.5 and a-b')).toBe('plain words, 3.5 and a-b');
  });
});
