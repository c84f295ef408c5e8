import { describe, expect, it } from 'vitest';
import { parseConsoleArgs, terminalLocale } from '../../src/console/args.js';

describe('terminalLocale', () => {
  it('speaks Spanish when the terminal is set to any Spanish locale', () => {
    expect(terminalLocale({ LANG: 'es_ES.UTF-8' })).toBe('es');
    expect(terminalLocale({ LANG: 'es_AR.UTF-8' })).toBe('es');
    expect(terminalLocale({ LANG: 'es' })).toBe('es');
  });

  it('lets LC_ALL override LANG, and falls back to English', () => {
    expect(terminalLocale({ LANG: 'es_ES.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(terminalLocale({ LANG: 'en_GB.UTF-8', LC_ALL: 'es_MX.UTF-8' })).toBe('es');
    expect(terminalLocale({ LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(terminalLocale({ LANG: 'estonian' })).toBe('en');
    expect(terminalLocale({})).toBe('en');
  });
});

describe('parseConsoleArgs', () => {
  it('reads --guild, --lang and directories in both spellings', () => {
    expect(
      parseConsoleArgs(['--guild', '123456789012345678', '--lang=es', '--data-dir', '/tmp/d', '--models-dir=/tmp/m']),
    ).toEqual({
      kind: 'run',
      flags: { guildId: '123456789012345678', locale: 'es', dataDir: '/tmp/d', modelsDir: '/tmp/m' },
    });
  });

  it('asks for help', () => {
    expect(parseConsoleArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses unknown flags, missing values and bad values', () => {
    expect(parseConsoleArgs(['--gild', 'x'])).toMatchObject({
      kind: 'error',
      code: 'UNKNOWN_ARGUMENT',
      argument: '--gild',
    });
    expect(parseConsoleArgs(['--guild'])).toMatchObject({ kind: 'error', code: 'MISSING_VALUE', argument: '--guild' });
    expect(parseConsoleArgs(['--guild', '../etc'])).toMatchObject({
      kind: 'error',
      code: 'BAD_VALUE',
      argument: '--guild',
    });
    expect(parseConsoleArgs(['--lang', 'fr'])).toMatchObject({ kind: 'error', code: 'BAD_VALUE', argument: '--lang' });
  });
});

describe('parseConsoleArgs edge cases (node:util parseArgs underneath)', () => {
  it('names the argument as typed: positionals, a terminator, short flags and --help with a value', () => {
    for (const argument of ['stray', '--', '-x', '-gx', '--help=yes', '--gild=1']) {
      expect(parseConsoleArgs([argument])).toEqual({
        kind: 'error',
        code: 'UNKNOWN_ARGUMENT',
        argument,
        message: `unknown argument "${argument}"`,
      });
    }
  });

  it('takes a value that starts with one dash, and refuses a flag where the value should be', () => {
    expect(parseConsoleArgs(['--data-dir', '-odd-name'])).toEqual({ kind: 'run', flags: { dataDir: '-odd-name' } });
    expect(parseConsoleArgs(['--guild', '--lang', 'es'])).toMatchObject({ code: 'MISSING_VALUE', argument: '--guild' });
    expect(parseConsoleArgs(['--lang'])).toMatchObject({ code: 'MISSING_VALUE', argument: '--lang' });
    expect(parseConsoleArgs(['--guild='])).toMatchObject({ code: 'BAD_VALUE', argument: '--guild' });
    expect(parseConsoleArgs(['--models-dir=--x'])).toEqual({ kind: 'run', flags: { modelsDir: '--x' } });
  });

  it('lets the last of a repeated flag win, and --help win wherever it is', () => {
    expect(parseConsoleArgs(['--lang', 'en', '--lang=es_MX'])).toEqual({ kind: 'run', flags: { locale: 'es' } });
    expect(parseConsoleArgs(['--lang', 'es', '--help'])).toEqual({ kind: 'help' });
    expect(parseConsoleArgs([])).toEqual({ kind: 'run', flags: {} });
  });
});
