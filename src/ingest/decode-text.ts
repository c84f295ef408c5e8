// Bytes → text. Order matters: a byte-order mark is the only certain signal, then UTF-8 because
// a random non-UTF-8 file almost never validates as UTF-8, then windows-1252 (what the seed
// product did with Latin-1, and a superset of it), which accepts any byte sequence — so the
// binary checks are what stand between it and a decoded PNG.
import { TextDecoder } from 'node:util';
import { UserError } from '../errors.js';
import type { TextEncoding } from './types.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const UTF16LE = new TextDecoder('utf-16le', { fatal: true });
const UTF16BE = new TextDecoder('utf-16be', { fatal: true });

/** Above this share of control characters a file is treated as binary. */
const MAX_CONTROL_SHARE = 0.05;
/** How much of the start of a file the BOM-less UTF-16 guess looks at. */
const UTF16_SNIFF_BYTES = 4096;

// C0 controls other than tab, LF, VT, FF, CR and ESC (ANSI colours in logs), DEL, and the C1
// range, which windows-1252 produces only for its five undefined bytes.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f-\u009f]/;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');

export function decodeText(name: string, bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  const decoded = decodeWithoutBinaryCheck(name, bytes);
  if (looksBinary(decoded.text)) throw new UserError('BINARY_FILE', { name });
  return decoded;
}

function decodeWithoutBinaryCheck(name: string, bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: strictly(name, UTF8, bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    // FF FE 00 00 is the UTF-32 LE mark; we do not read UTF-32.
    if (bytes.length >= 4 && bytes[2] === 0 && bytes[3] === 0) throw new UserError('BAD_ENCODING', { name });
    return { text: strictly(name, UTF16LE, bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: strictly(name, UTF16BE, bytes.subarray(2)), encoding: 'utf-16be' };
  }

  if (indexOfNul(bytes) !== -1) {
    const guess = guessUtf16WithoutBom(bytes);
    if (guess) {
      try {
        return { text: (guess === 'utf-16le' ? UTF16LE : UTF16BE).decode(bytes), encoding: guess };
      } catch {
        // NULs in a pattern that is not valid UTF-16 after all: binary.
      }
    }
    throw new UserError('BINARY_FILE', { name });
  }

  try {
    return { text: UTF8.decode(bytes), encoding: 'utf-8' };
  } catch {
    // Not UTF-8. Either another single-byte encoding, or UTF-8 that was damaged or mixed.
  }
  const text = decodeWindows1252(bytes);
  if (looksLikeDamagedUtf8(bytes)) {
    // Random bytes hold a few well-formed sequences by chance: binary is the better answer.
    throw new UserError(looksBinary(text) ? 'BINARY_FILE' : 'BAD_ENCODING', { name });
  }
  return { text, encoding: 'windows-1252' };
}

// Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1: 0x80–0x9F come out as C1 controls
// instead of €, curly quotes and dashes (exactly the bytes that tell the two apart). So the
// Latin-1 decode, which is fast, is followed by the 32 windows-1252 differences.
const WINDOWS_1252_HIGH_CONTROLS =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_CONTROL = /[\u0080-\u009f]/g;

function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(C1_CONTROL, (char) => WINDOWS_1252_HIGH_CONTROLS[char.charCodeAt(0) - 0x80]);
}

function strictly(name: string, decoder: TextDecoder, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new UserError('BAD_ENCODING', { name });
  }
}

function indexOfNul(bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(0);
}

/**
 * Mostly-ASCII UTF-16 written without a mark has a NUL in every other byte, always on the same
 * side; binary files have NULs on both sides.
 */
function guessUtf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length % 2 !== 0) return null;
  const sample = Math.min(bytes.length, UTF16_SNIFF_BYTES);
  let nulsAtEven = 0;
  let nulsAtOdd = 0;
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) nulsAtEven++;
    if (bytes[i + 1] === 0) nulsAtOdd++;
  }
  const pairs = sample / 2;
  if (nulsAtEven === 0 && nulsAtOdd >= pairs * 0.3) return 'utf-16le';
  if (nulsAtOdd === 0 && nulsAtEven >= pairs * 0.3) return 'utf-16be';
  return null;
}

/**
 * A windows-1252 text almost never contains a well-formed UTF-8 multi-byte sequence ("ñ" is F1,
 * followed by ASCII). One rule for every file that is not valid UTF-8: if it holds a single
 * well-formed UTF-8 character, it is UTF-8 with damage, stray bytes or a mixed-in other
 * encoding, whatever the proportions, and decoding it as windows-1252 would train on mojibake
 * ("Ã±", "ÿþ"): it is refused. (This counted stray bytes against well-formed sequences, so a
 * UTF-8 file with a few accents and more stray bytes was read as windows-1252.)
 */
function looksLikeDamagedUtf8(bytes: Uint8Array): boolean {
  let wellFormed = 0;
  let stray = 0;
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i];
    if (lead < 0x80) continue;
    const continuation =
      lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : -1;
    let ok = continuation > 0 && i + continuation < bytes.length;
    for (let k = 1; ok && k <= continuation; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
    if (ok) {
      wellFormed++;
      i += continuation;
    } else {
      stray++;
    }
  }
  return wellFormed > 0 && stray > 0;
}

function looksBinary(text: string): boolean {
  // Fast path: ordinary text has no control characters at all.
  if (!CONTROL_CHARACTER.test(text)) return false;
  if (text.includes('\u0000')) return true;
  const allowed = text.length * MAX_CONTROL_SHARE;
  let controls = 0;
  CONTROL_CHARACTERS.lastIndex = 0;
  while (CONTROL_CHARACTERS.exec(text) !== null) if (++controls > allowed) return true;
  return false;
}
