// Checksum: CRC-32 (IEEE), native where Node has it (20.15+), table-driven otherwise.

import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, previous?: number) => number;
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const CRC_TABLES = (() => {
  // Slice-by-4 tables: table k maps a byte to its CRC after k more zero bytes.
  const tables = new Int32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 4; t++) {
      const previous = tables[(t - 1) * 256 + n];
      tables[t * 256 + n] = (previous >>> 8) ^ tables[previous & 0xff];
    }
  }
  return tables;
})();

/** Portable CRC-32, continuing from `previous`; exported only so tests can compare it with Node's. */
export const portableCrc32: Crc32 = (data, previous = 0) => {
  const t = CRC_TABLES;
  let crc = ~previous;
  let i = 0;
  const end4 = data.length - (data.length % 4);
  for (; i < end4; i += 4) {
    crc ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    crc = t[768 + (crc & 0xff)] ^ t[512 + ((crc >>> 8) & 0xff)] ^ t[256 + ((crc >>> 16) & 0xff)] ^ t[crc >>> 24];
  }
  for (; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
};

/** CRC-32 (IEEE), native when Node has it; also checks model images (image/layout.ts). */
export const crc32: Crc32 = nativeCrc32 ? (data, previous = 0) => nativeCrc32(data, previous) >>> 0 : portableCrc32;

export const frameChecksum = (versionAndLength: Uint8Array, payload: Uint8Array) =>
  crc32(payload, crc32(versionAndLength));
