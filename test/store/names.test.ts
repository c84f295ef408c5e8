import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import {
  draftFilename,
  editDistance,
  fileTimestamp,
  modelNameKey,
  parseModelName,
  savedModelFilename,
  validateGuildId,
} from '../../src/store/index.js';

function reasonOf(name: string): string | null {
  try {
    parseModelName(name);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('INVALID_MODEL_NAME');
    return String((error as UserError).params.reason);
  }
}

describe('parseModelName', () => {
  it('accepts letters of any script, accents, digits, underscore and hyphen', () => {
    for (const name of [
      'mi_modelo_español',
      'Ñandú-2024',
      'modèle',
      'Модель',
      'نموذج',
      '模型',
      'モデル',
      'x',
      '1',
      'a'.repeat(64),
    ]) {
      expect(parseModelName(name).display).toBe(name);
    }
  });

  it('normalizes to NFC and folds case for the key', () => {
    expect(parseModelName('Cancio\u0301n')).toEqual({ display: 'Canci\u00f3n', key: 'canci\u00f3n' });
    expect(modelNameKey('ÑANDÚ')).toBe('ñandú');
  });

  it('refuses path traversal, separators, NUL and control characters', () => {
    for (const name of [
      '..',
      '../x',
      '..\\x',
      'a/b',
      'a\\b',
      '/abs',
      'C:x',
      'nul\u0000',
      'tab\t',
      'line\n',
      'del\u007f',
      'esc\u001b[2J',
    ]) {
      expect(reasonOf(name)).toBe('characters');
    }
  });

  it('refuses spaces, dots, punctuation, symbols and emoji', () => {
    for (const name of [
      'a b',
      'a.b',
      '.hidden',
      'a:b',
      'a*b',
      'a?b',
      'a"b',
      'a<b',
      'a|b',
      '😀',
      'a\u00a0b',
      'x\u2215y',
      'x\uff0fy',
    ]) {
      expect(reasonOf(name)).toBe('characters');
    }
  });

  it('refuses invisible characters and a leading combining mark', () => {
    expect(reasonOf('a\u200db')).toBe('characters'); // zero-width joiner
    expect(reasonOf('\u3164')).toBe('characters'); // Hangul filler, a letter that renders as nothing
    expect(reasonOf('\u0301abc')).toBe('characters');
    expect(reasonOf('a\u202eb')).toBe('characters'); // right-to-left override
  });

  it('refuses empty and over-long names, including a 10 kB one, cheaply', () => {
    expect(reasonOf('')).toBe('empty');
    expect(reasonOf('a'.repeat(65))).toBe('too-long');
    expect(reasonOf('a'.repeat(10_240))).toBe('too-long');
    // The length is checked before any character is looked at: a long name of forbidden
    // characters is refused as too long, so no per-character work runs on it.
    expect(reasonOf('\u202e'.repeat(10_240))).toBe('too-long');
    // 64 characters but 256 UTF-8 bytes: would not fit a 255-byte file name with its stamp.
    expect(reasonOf('𠀀'.repeat(64))).toBe('too-long');
    expect(parseModelName('𠀀'.repeat(50)).display).toHaveLength(100);
  });

  it('refuses Windows reserved device names in any case, superscript digits included', () => {
    for (const name of ['CON', 'con', 'Prn', 'AUX', 'NUL', 'COM1', 'com9', 'LPT1', 'lpt9', 'COM¹', 'LPT³']) {
      expect(reasonOf(name)).toBe('reserved');
    }
    for (const name of ['CONSOLE', 'COM10', 'LPT0', 'con_1', 'auxiliar']) expect(reasonOf(name)).toBeNull();
  });

  it('keeps confusable names apart: the path is safe either way', () => {
    const latin = parseModelName('paypal');
    const cyrillic = parseModelName('p\u0430ypal');
    expect(latin.key).not.toBe(cyrillic.key);
  });

  it('refuses non-string input', () => {
    expect(reasonOf(undefined as unknown as string)).toBe('empty');
  });
});

describe('file names', () => {
  it('stamps saved files in UTC as <name>_<YYYYMMDD_HHMMSS>.ulm', () => {
    const at = Date.UTC(2024, 11, 1, 14, 30, 22);
    expect(fileTimestamp(at)).toBe('20241201_143022');
    expect(savedModelFilename(parseModelName('mi_modelo_español'), at)).toBe('mi_modelo_español_20241201_143022.ulm');
    expect(savedModelFilename(parseModelName('a'), at, 3)).toBe('a_20241201_143022_3.ulm');
  });

  it('names drafts after their job and refuses malformed job ids', () => {
    expect(draftFilename('0b5c7d2e-1111-4a2b-9c3d-0123456789ab')).toBe(
      '.draft_0b5c7d2e-1111-4a2b-9c3d-0123456789ab.ulm',
    );
    expect(() => draftFilename('../x')).toThrow();
  });
});

describe('validateGuildId', () => {
  it('accepts Discord snowflakes and simple console ids', () => {
    for (const id of ['123456789012345678', '12345678901234567890', 'local', 'test_guild-1'])
      expect(validateGuildId(id)).toBe(id);
  });

  it('refuses anything that could be a path or is not an id', () => {
    for (const id of ['', '.', '..', '../x', 'a/b', 'a\\b', '.orphans', 'Local', 'a b', 'x'.repeat(33), 'ñ', '-lead']) {
      expect(() => validateGuildId(id)).toThrow(UserError);
    }
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('poemas', 'poemas')).toBe(0);
    expect(editDistance('pomeas', 'poemas')).toBe(1);
    expect(editDistance('poema', 'poemas')).toBe(1);
    expect(editDistance('poemas', 'recetas')).toBe(4);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('ñandú', 'nandu')).toBe(2);
  });
});
