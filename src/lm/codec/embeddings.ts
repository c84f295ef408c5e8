// Embeddings: raw int8 bytes and little-endian float32 scales. Quantized vectors are near
// incompressible, and raw bytes make loading a copy.

import type { EmbeddingTable } from '../types.js';
import { fail, integerIn, record } from './fields.js';
import { MAX_EMBEDDING_DIM } from './limits.js';

export function embeddingsProblem(table: EmbeddingTable, vocabSize: number): void {
  if (table === null || typeof table !== 'object') fail('embeddings are not a table');
  const dim = integerIn(table.dim, 1, MAX_EMBEDDING_DIM, 'embedding dimensions');
  const count = integerIn(table.count, 0, vocabSize, 'embedding rows');
  if (!(table.values instanceof Int8Array) || table.values.length !== dim * count)
    fail('embedding values do not match dim × count');
  if (!(table.scales instanceof Float32Array) || table.scales.length !== count)
    fail('embedding scales do not match the rows');
  for (let row = 0; row < count; row++) {
    if (!Number.isFinite(table.scales[row])) fail(`embedding row ${row} has a scale that is not finite`);
  }
}

export function encodeEmbeddings(table: EmbeddingTable): unknown {
  const scales = new Uint8Array(table.count * 4);
  const view = new DataView(scales.buffer);
  for (let row = 0; row < table.count; row++) view.setFloat32(row * 4, table.scales[row], true);
  return {
    dim: table.dim,
    count: table.count,
    values: new Uint8Array(table.values.buffer, table.values.byteOffset, table.values.length),
    scales,
  };
}

export function decodeEmbeddings(value: unknown, vocabSize: number): EmbeddingTable {
  const stored = record(value, 'embeddings');
  const dim = integerIn(stored.dim, 1, MAX_EMBEDDING_DIM, 'embedding dimensions');
  const count = integerIn(stored.count, 0, vocabSize, 'embedding rows');
  const values = stored.values;
  const scaleBytes = stored.scales;
  if (!(values instanceof Uint8Array) || values.length !== dim * count)
    fail('embedding values do not match dim × count');
  if (!(scaleBytes instanceof Uint8Array) || scaleBytes.length !== count * 4)
    fail('embedding scales do not match the rows');
  const view = new DataView(scaleBytes.buffer, scaleBytes.byteOffset, scaleBytes.length);
  const scales = new Float32Array(count);
  for (let row = 0; row < count; row++) {
    scales[row] = view.getFloat32(row * 4, true);
    if (!Number.isFinite(scales[row])) fail(`embedding row ${row} has a scale that is not finite`);
  }
  // Copy: a view would keep the whole file alive and share memory with the caller's buffer.
  return {
    dim,
    count,
    values: new Int8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.length)),
    scales,
  };
}
