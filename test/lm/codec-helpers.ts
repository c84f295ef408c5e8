// Tools for crafting hostile model files in the codec tests: open a valid file's payload, with
// every stream decompressed so tests can edit varints, then pack and seal it again.
import { Packr, Unpackr } from 'msgpackr';
import * as zlib from 'node:zlib';
import { frameModelPayload } from '../../src/lm/codec.js';
import { ModelFormatError, type ModelFormatErrorKind } from '../../src/lm/types.js';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export type Stream = [method: number, rawBytes: number, bytes: Uint8Array];

export interface OpenPayload {
  header: Record<string, unknown> & { params: Record<string, unknown>; stats: Record<string, unknown> };
  vocab: { size: number; lengths: Stream; text: Stream };
  counts: { order: number; sizes: number[]; levels: (Stream | null)[][] };
  embeddings: null | { dim: number; count: number; values: Uint8Array; scales: Uint8Array };
}

export const FRAME_BYTES = 20;

function rawStream(stream: Stream): Stream {
  const raw = stream[0] === 1 ? new Uint8Array(zlib.inflateRawSync(stream[2])) : new Uint8Array(stream[2]);
  return [0, raw.length, raw];
}

/** The payload of a valid file, every stream stored raw (method 0), which the decoder accepts. */
export function openPayload(file: Uint8Array): OpenPayload {
  const payload = unpackr.unpack(file.subarray(FRAME_BYTES)) as OpenPayload;
  payload.vocab.lengths = rawStream(payload.vocab.lengths);
  payload.vocab.text = rawStream(payload.vocab.text);
  payload.counts.levels = payload.counts.levels.map((streams) =>
    streams.map((stream) => (stream === null ? null : rawStream(stream))),
  );
  return payload;
}

export function sealPayload(payload: unknown, formatVersion?: number): Uint8Array {
  return frameModelPayload(packr.pack(payload), formatVersion);
}

/** A varint stream holding `values`, stored raw. */
export function varintStream(values: number[]): Stream {
  const bytes: number[] = [];
  for (let value of values) {
    while (value >= 0x80) {
      bytes.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    bytes.push(value);
  }
  return [0, bytes.length, Uint8Array.from(bytes)];
}

export function readVarints(stream: Stream | null): number[] {
  if (stream === null) throw new Error('that stream is absent from this file');
  const values: number[] = [];
  const bytes = stream[2];
  let value = 0;
  let scale = 1;
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    scale *= 0x80;
    if (byte < 0x80) {
      values.push(value);
      value = 0;
      scale = 1;
    }
  }
  return values;
}

/** The ModelFormatError kind `action` throws; fails the test if it throws anything else or nothing. */
export function formatErrorKind(action: () => unknown): ModelFormatErrorKind {
  try {
    action();
  } catch (error) {
    if (error instanceof ModelFormatError) return error.kind;
    throw error;
  }
  throw new Error('expected a ModelFormatError, but decoding succeeded');
}
