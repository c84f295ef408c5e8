// npx tsx bench/crc32.ts [megabytes] — the model codec's CRC-32 (src/lm/codec/checksum.ts, Node's
// zlib.crc32) against the slice-by-4 table in JavaScript it replaced, kept here as the reference:
// best of 5 on 20 MB of pseudo-random bytes (the size of a large model file), and both agree.
import { crc32 } from '../src/lm/codec/checksum.js';
import { bestOf } from './best-of.js';

const megabytes = Number(process.argv[2] ?? 20);

const TABLES = (() => {
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

function sliceBy4Crc32(data: Uint8Array, previous = 0): number {
  const t = TABLES;
  let crc = ~previous;
  let i = 0;
  const end4 = data.length - (data.length % 4);
  for (; i < end4; i += 4) {
    crc ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    crc = t[768 + (crc & 0xff)] ^ t[512 + ((crc >>> 8) & 0xff)] ^ t[256 + ((crc >>> 16) & 0xff)] ^ t[crc >>> 24];
  }
  for (; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

const data = new Uint8Array(megabytes * 1_000_000);
let state = 1;
for (let i = 0; i < data.length; i++) data[i] = (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;

const value = crc32(data);
const nativeMs = bestOf(5, () => crc32(data));
const tableMs = bestOf(5, () => sliceBy4Crc32(data));
const rate = (ms: number) => `${(megabytes / (ms / 1000)).toFixed(0)} MB/s`;
console.log(`${megabytes} MB; both give ${value.toString(16)}: ${value === sliceBy4Crc32(data)}`);
console.log(`zlib.crc32   ${nativeMs.toFixed(1)} ms  ${rate(nativeMs)}`);
console.log(`slice-by-4   ${tableMs.toFixed(1)} ms  ${rate(tableMs)}`);
