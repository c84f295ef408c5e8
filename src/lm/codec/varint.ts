// Varints: unsigned LEB128 of at most MAX_VARINT_BYTES bytes, written into a growing buffer
// and read from a stream that knows its position.

import { fail } from './fields.js';
import { MAX_VARINT_BYTES, MAX_VARINT_VALUE } from './limits.js';

export class VarintWriter {
  private bytes: Uint8Array;
  private length = 0;

  constructor(expectedValues: number) {
    this.bytes = new Uint8Array(Math.max(64, expectedValues + (expectedValues >>> 2)));
  }

  push(value: number): void {
    // Small enough for V8 to inline; almost every value is one byte.
    if (value >= 0 && value < 0x80 && this.length < this.bytes.length) this.bytes[this.length++] = value;
    else this.pushLong(value);
  }

  private pushLong(value: number): void {
    if (!(value >= 0 && value <= MAX_VARINT_VALUE))
      throw new RangeError(`cannot encode model file: value ${value} out of range`);
    if (this.length + MAX_VARINT_BYTES > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    const bytes = this.bytes;
    let length = this.length;
    while (value >= 0x80) {
      bytes[length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    bytes[length++] = value;
    this.length = length;
  }

  pushSigned(value: number): void {
    this.push(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** A varint stream being read; the decoder's hot loop copies `position` into a local. */
export interface VarintStream {
  bytes: Uint8Array;
  position: number;
  what: string;
}

export function varintStream(bytes: Uint8Array, what: string): VarintStream {
  return { bytes, position: 0, what };
}

export function nextVarint(stream: VarintStream): number {
  const byte = stream.bytes[stream.position];
  // Past the end the load gives undefined, which fails the test and lands in the bounds check.
  if (byte < 0x80) {
    stream.position++;
    return byte;
  }
  const value = readLongVarint(stream, stream.position);
  stream.position = longVarintEnd;
  return value;
}

/** End position of the last readLongVarint, so the hot loop can keep its positions in locals. */
export let longVarintEnd = 0;

export function readLongVarint(stream: VarintStream, position: number): number {
  const bytes = stream.bytes;
  let value = 0;
  let scale = 1;
  for (let read = 0; ; read++) {
    if (position >= bytes.length) fail(`${stream.what}: stream ends early`);
    if (read === MAX_VARINT_BYTES) fail(`${stream.what}: number too long`);
    const byte = bytes[position++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 0x80;
  }
  longVarintEnd = position;
  return value;
}

/** Every value a stream holds must be used: leftovers mean the streams disagree. */
export function expectConsumed(stream: VarintStream): void {
  if (stream.position !== stream.bytes.length)
    fail(`${stream.what}: ${stream.bytes.length - stream.position} unused bytes`);
}
