import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/ingest/index.js';
import { pseudoRandomBytes, thrownUserError, utf16be, utf16le, utf8, windows1252 } from './helpers.js';

const SPANISH = '¿Qué tal, señor Núñez? Mañana iré al río con mi pingüino.\n¡Olé! El niño comió piña.';

describe('decodeText', () => {
  it('decodes UTF-8 without a byte-order mark', () => {
    expect(decodeText('es.txt', utf8(SPANISH))).toEqual({ text: SPANISH, encoding: 'utf-8' });
  });

  it('decodes UTF-8 with a byte-order mark and drops the mark', () => {
    expect(decodeText('es.txt', utf8(SPANISH, true))).toEqual({ text: SPANISH, encoding: 'utf-8' });
  });

  it('decodes a Spanish windows-1252 file (ñ, á, ¿ as single bytes)', () => {
    const bytes = windows1252(SPANISH);
    expect(bytes.indexOf(0xf1)).toBeGreaterThan(-1); // ñ
    expect(bytes[0]).toBe(0xbf); // ¿
    expect(decodeText('es.txt', bytes)).toEqual({ text: SPANISH, encoding: 'windows-1252' });
  });

  it('decodes the windows-1252 characters that Latin-1 lacks (€, curly quotes, dashes)', () => {
    const text = 'Cuesta 5 € — “barato”, ¿no?';
    expect(decodeText('precio.txt', windows1252(text))).toEqual({ text, encoding: 'windows-1252' });
  });

  it('maps all 27 defined windows-1252 bytes of 0x80–0x9F (Node 20’s own decoder gets them wrong)', () => {
    const text = 'ñ €‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
    const bytes = windows1252(text);
    expect(bytes.filter((byte) => byte >= 0x80 && byte <= 0x9f)).toHaveLength(27);
    expect(decodeText('cp1252.txt', bytes).text).toBe(text);
  });

  it('decodes UTF-16 LE with a byte-order mark', () => {
    expect(decodeText('es.txt', utf16le(SPANISH))).toEqual({ text: SPANISH, encoding: 'utf-16le' });
  });

  it('decodes UTF-16 BE with a byte-order mark', () => {
    expect(decodeText('es.txt', utf16be(SPANISH))).toEqual({ text: SPANISH, encoding: 'utf-16be' });
  });

  it('recognises UTF-16 without a byte-order mark by its NUL pattern', () => {
    const text = 'hello there, general Kenobi\nmañana';
    expect(decodeText('a.txt', utf16le(text, false))).toEqual({ text, encoding: 'utf-16le' });
    expect(decodeText('a.txt', utf16be(text, false))).toEqual({ text, encoding: 'utf-16be' });
  });

  it('decodes characters outside the BMP in every Unicode encoding', () => {
    const text = 'gg 😀 𝔘𝔩𝔱𝔯𝔞';
    expect(decodeText('e.txt', utf8(text)).text).toBe(text);
    expect(decodeText('e.txt', utf16le(text)).text).toBe(text);
    expect(decodeText('e.txt', utf16be(text)).text).toBe(text);
  });

  it('decodes an empty file as empty UTF-8 text', () => {
    expect(decodeText('empty.txt', new Uint8Array(0))).toEqual({ text: '', encoding: 'utf-8' });
  });

  it('refuses a PNG as binary', () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
      0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    const error = thrownUserError(() => decodeText('cat.txt', png));
    expect(error.code).toBe('BINARY_FILE');
    expect(error.params).toEqual({ name: 'cat.txt' });
  });

  it('refuses random bytes containing NULs as binary', () => {
    const bytes = pseudoRandomBytes(4096, 42);
    expect(bytes.indexOf(0)).toBeGreaterThan(-1);
    expect(thrownUserError(() => decodeText('noise', bytes)).code).toBe('BINARY_FILE');
  });

  it('refuses random bytes without any NUL as binary (control characters)', () => {
    const bytes = pseudoRandomBytes(4096, 7).map((byte) => (byte === 0 ? 1 : byte));
    expect(thrownUserError(() => decodeText('noise', bytes)).code).toBe('BINARY_FILE');
  });

  it('refuses a single NUL in otherwise plain text', () => {
    expect(thrownUserError(() => decodeText('a.txt', utf8('hola\u0000mundo'))).code).toBe('BINARY_FILE');
  });

  it('refuses UTF-16 text that carries NUL characters', () => {
    expect(thrownUserError(() => decodeText('a.txt', utf16le('hola\u0000\u0000\u0000mundo'))).code).toBe('BINARY_FILE');
  });

  it('accepts tabs, form feeds and ANSI colour escapes of log files', () => {
    const text = '\u001b[32mINFO\u001b[0m\tserver started\n\fnext page';
    expect(decodeText('app.log', utf8(text)).text).toBe(text);
  });

  it('accepts a few stray control characters in a long text', () => {
    const text = `${'a normal line of chat\n'.repeat(50)}\u0007bell`;
    expect(decodeText('a.txt', utf8(text)).text).toBe(text);
  });

  it('refuses text made mostly of control characters', () => {
    const text = 'ab\u0001\u0002\u0003\u0004cd\u0005\u0006\u0007\u0008';
    expect(thrownUserError(() => decodeText('a.txt', utf8(text))).code).toBe('BINARY_FILE');
  });

  it('refuses a UTF-8 byte-order mark followed by invalid UTF-8', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, 0x61, 0xf1, 0x61]);
    const error = thrownUserError(() => decodeText('bad.txt', bytes));
    expect(error.code).toBe('BAD_ENCODING');
    expect(error.params).toEqual({ name: 'bad.txt' });
  });

  it('refuses a UTF-16 byte-order mark followed by an odd number of bytes', () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x61, 0x00, 0x62]);
    expect(thrownUserError(() => decodeText('bad.txt', bytes)).code).toBe('BAD_ENCODING');
  });

  it('refuses UTF-16 with an unpaired surrogate', () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x61, 0x00, 0x00, 0xd8, 0x62, 0x00]);
    expect(thrownUserError(() => decodeText('bad.txt', bytes)).code).toBe('BAD_ENCODING');
  });

  it('refuses UTF-32, which it does not read', () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00]);
    expect(thrownUserError(() => decodeText('u32.txt', bytes)).code).toBe('BAD_ENCODING');
  });

  it('refuses UTF-8 mixed with windows-1252 instead of training on mojibake', () => {
    const bytes = Buffer.concat([utf8('año, niño, canción, corazón\n'), windows1252('mañana\n')]);
    const error = thrownUserError(() => decodeText('mixed.txt', bytes));
    expect(error.code).toBe('BAD_ENCODING');
    expect(error.params).toEqual({ name: 'mixed.txt' });
  });

  it('passes a hostile file name through unchanged', () => {
    const name = '<@everyone> **x** ../../etc/passwd\u202e\u0000.txt';
    expect(thrownUserError(() => decodeText(name, Uint8Array.from([0, 1, 2, 3]))).params).toEqual({ name });
  });
});
