// Checksum: CRC-32 (IEEE) of Node's zlib (Node ≥ 20.15, package.json's engines), 9× faster than the
// slice-by-4 table in JavaScript it replaced (bench/crc32.ts: 2,500 against 280 MB/s on 20 MB).
// A pure function of its bytes: no I/O, no state, no clock, so src/lm stays pure with it.

import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 (IEEE) of `data`, continuing from `previous`; also checks model images (image/layout.ts). */
export const crc32 = (data: Uint8Array, previous = 0): number => zlibCrc32(data, previous) >>> 0;

export const frameChecksum = (versionAndLength: Uint8Array, payload: Uint8Array) =>
  crc32(payload, crc32(versionAndLength));
