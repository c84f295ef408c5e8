// Issue 19: badutf8.txt (UTF-8 with stray bytes) was trained as mojibake while mixedutf8.txt was
// refused. One rule: a file holding UTF-8 characters must be entirely valid UTF-8; a file with no
// UTF-8 character at all is read as windows-1252.
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/ingest/index.js';
import { thrownUserError, utf8, windows1252 } from './helpers.js';

describe('UTF-8 with stray bytes', () => {
  it('refuses a UTF-8 file with more stray bytes than accented letters (was read as mojibake)', () => {
    const bytes = Buffer.concat([
      utf8('café con leche\n'),
      Buffer.from([0xff, 0xfe, 0x80, 0x20, 0x81]),
      utf8('\nmore text\n'),
    ]);
    const error = thrownUserError(() => decodeText('badutf8.txt', bytes));
    expect(error.code).toBe('BAD_ENCODING');
    expect(error.params).toEqual({ name: 'badutf8.txt' });
  });

  it('refuses one stray byte among many accents, as mixed encodings are refused', () => {
    const bytes = Buffer.concat([utf8('año, niño, canción, corazón\n'), Buffer.from([0xe9]), utf8('\n')]);
    expect(thrownUserError(() => decodeText('mixedutf8.txt', bytes)).code).toBe('BAD_ENCODING');
  });

  it('still reads a file with no UTF-8 character at all as windows-1252', () => {
    expect(decodeText('latin.txt', windows1252('mañana, ¿qué tal?\n'))).toEqual({
      text: 'mañana, ¿qué tal?\n',
      encoding: 'windows-1252',
    });
  });
});
