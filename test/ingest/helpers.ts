import { UserError } from '../../src/errors.js';

/** The UserError that `run` throws; fails the test if it throws anything else or nothing. */
export function thrownUserError(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

export async function rejectedUserError(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError, the promise resolved');
}

/** Windows-1252 bytes of a string, for the characters this test suite uses. */
export function windows1252(text: string): Uint8Array {
  const specials: Record<string, number> = {
    '€': 0x80,
    '‚': 0x82,
    ƒ: 0x83,
    '„': 0x84,
    '…': 0x85,
    '†': 0x86,
    '‡': 0x87,
    ˆ: 0x88,
    '‰': 0x89,
    Š: 0x8a,
    '‹': 0x8b,
    Œ: 0x8c,
    Ž: 0x8e,
    '‘': 0x91,
    '’': 0x92,
    '“': 0x93,
    '”': 0x94,
    '•': 0x95,
    '–': 0x96,
    '—': 0x97,
    '˜': 0x98,
    '™': 0x99,
    š: 0x9a,
    '›': 0x9b,
    œ: 0x9c,
    ž: 0x9e,
    Ÿ: 0x9f,
  };
  return Uint8Array.from(text, (char) => {
    const code = specials[char] ?? char.charCodeAt(0);
    if (code > 0xff || (code >= 0x80 && code <= 0x9f && !(char in specials)))
      throw new Error(`not in windows-1252: ${char}`);
    return code;
  });
}

export function utf16le(text: string, withBom = true): Uint8Array {
  const body = Buffer.from(text, 'utf16le');
  return withBom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

export function utf16be(text: string, withBom = true): Uint8Array {
  const body = Buffer.from(text, 'utf16le').swap16();
  return withBom ? Buffer.concat([Buffer.from([0xfe, 0xff]), body]) : body;
}

export function utf8(text: string, withBom = false): Uint8Array {
  const body = Buffer.from(text, 'utf8');
  return withBom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/** Deterministic pseudo-random bytes (xorshift32), so a failing case can be reproduced. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
