// Model file codec (`.ulm`): ModelFile <-> bytes. Pure computation: no fs, no clock.
//
// Frame (20 bytes, little-endian), then the payload:
//   0  magic   89 55 4C 4D 0D 0A 1A 0A   ("\x89ULM\r\n\x1a\n": the high byte catches 7-bit
//                                          transfers, CR LF and LF catch line-ending rewrites,
//                                          ^Z stops a DOS `type`, as in PNG)
//   8  u32     format version
//  12  u32     payload bytes
//  16  u32     CRC-32 of bytes 8–15 then the payload
//  20  payload msgpack map { header, vocab, counts, embeddings }
//
// The vocabulary and the count trie are stored as streams of varints, one stream per field and
// level so that each holds similar numbers, and each stream is compressed on its own with raw
// deflate (node:zlib: standard library computation). Two observations make the trie small:
//   - Excess instead of counts. Every sentence ends in `</s>`, so an n-gram that does not end in
//     `</s>` is always followed by a word: in an unpruned trie an inner node's count is exactly
//     the sum of its children's counts. We store the excess `count − Σ children` (zigzag, so a
//     pruned or hand-made trie still round-trips exactly), run-length coded since it is nearly
//     always 0. Going top-down, a node's count is then known before its children's, so of k
//     siblings only the first k−1 counts are stored; the last is what the parent has left.
//   - Children as ranks among the suffix's children. If `a b c` is a node, so is its suffix
//     `b c` (in an unpruned trie), and every child word of `a b` is a child word of `b`. A child
//     word is therefore stored as its rank among the children of the parent's suffix node,
//     delta-coded among siblings: small numbers, mostly 1 at the deep levels. This is the
//     context-based identifier remapping of Pibiri & Venturini, "Efficient Data Structures for
//     Massive N-Gram Datasets" (SIGIR 2017). When the suffix is missing (a trie pruned without
//     keeping suffixes) the word escapes to a plain delta-coded stream.
// Measured on the Brown training split (bench/codec-quick.ts): order 5 unpruned, 3.1M n-grams,
// takes ~0.75 bytes per n-gram; pruned tries ~1.8–2 (they keep the frequent n-grams, whose
// counts are large, and drop the nearly free singletons).
//
// Decoding trusts nothing: every length is checked against what the payload can hold before
// anything is allocated, every index against its array, decompression is capped at the declared
// size, and any failure becomes a ModelFormatError saying which kind.

import { Packr, Unpackr } from 'msgpackr';
import * as zlib from 'node:zlib';
import { SpareArrays } from './arrays.js';
import { levelViews, type TrieIndex } from './graph.js';
import {
  BOS,
  BOS_ID,
  EOS,
  EOS_ID,
  ModelFormatError,
  UNK,
  type CorpusSummary,
  type CountTrie,
  type CountTrieLevel,
  type EmbeddingTable,
  type ModelFile,
  type ModelFileHeader,
  type ModelStats,
  type TrainParams,
} from './types.js';

/**
 * 1: first format. 2: a pruned model's `adjusted` and `prunedMass` streams hold zigzag differences
 * from what the trie itself implies (extrasBaselines), nearly all zero, instead of the values.
 * Version 1 files are still read.
 */
export const FORMAT_VERSION = 2;
const DELTA_EXTRAS_VERSION = 2;

const MAGIC = Uint8Array.of(0x89, 0x55, 0x4c, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a);
const FRAME_BYTES = 20;

/** Longest pattern a file may hold; matches TrainParams.maxPatternLength. */
const MAX_ORDER = 8;
const MAX_EMBEDDING_DIM = 4096;
const MAX_COUNT = 0xffffffff;
/** 7 × 7 bits = 49 bits: every zigzag excess of a real trie fits, and sums stay exact in doubles. */
const MAX_VARINT_BYTES = 7;
const MAX_VARINT_VALUE = 2 ** 49 - 1;

// Hostile-size guards. A real model holds ~1.3 n-grams per file byte (Brown, order 5; ~2 for
// made-up text counting 1..100000 at order 8) and its streams expand ~3× when decompressed;
// these bounds leave a wide margin for valid files while keeping what a small hostile file can
// make us allocate to tens of megabytes, and a large one to a fixed multiple of its size. The
// encoder refuses to write a file the decoder would refuse.
const nodeLimit = (payloadBytes: number) => 2 ** 21 + 16 * payloadBytes;
const rawByteLimit = (payloadBytes: number) => 2 ** 25 + 64 * payloadBytes;

const STREAM_RAW = 0;
const STREAM_DEFLATE = 1;
// Raw deflate at level 5, chosen by measurement on the Brown order-5 streams (6.5 MB raw, one
// run on a loaded 2-core machine): 2.07 MB compressed in ~150 ms, inflated in ~13 ms. Brotli at
// quality 4 gave 2.10 MB, ~160 ms and ~21 ms to decompress; deflate level 6 saves 1.5% more for
// three times the compression time, and level 9 4% for over ten times.
const DEFLATE_LEVEL = 5;
/** Below this, compression costs more in framing than it saves. */
const MIN_COMPRESSED_STREAM = 64;

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Writes a model file. The header's formatVersion is ignored: files are always written in
 * FORMAT_VERSION. Throws RangeError when `file` breaks the stored-form invariants of types.ts
 * (a bug in the caller, not a user error), so every written file decodes.
 */
export function encodeModelFile(file: ModelFile, index?: EncoderIndex): Uint8Array {
  const problem = modelFileProblem(file, index);
  if (problem !== null) throw new RangeError(`cannot encode model file: ${problem}`);
  const header = headerFields(file.header);
  const vocab = encodeVocab(file.vocab);
  const counts = encodeCounts(file.counts, file.vocab.length, index);
  const embeddings = file.embeddings === null ? null : encodeEmbeddings(file.embeddings);
  const payload = payloadPackr.pack({ header, vocab: vocab.stored, counts: counts.stored, embeddings });
  const rawBytes = vocab.rawBytes + counts.rawBytes;
  const nodes = counts.nodes + file.vocab.length;
  if (nodes > nodeLimit(payload.length) || rawBytes > rawByteLimit(payload.length)) {
    throw new RangeError('cannot encode model file: too many n-grams for its compressed size');
  }
  return frameModelPayload(payload);
}

/** Reads a model file; throws ModelFormatError for anything that is not a valid file of a version we read. */
export function decodeModelFile(bytes: Uint8Array): ModelFile {
  return decodeIndexedModelFile(bytes).file;
}

/** A decoded file and the trie index the decoder built on the way (see DecodedTrieIndex). */
export interface DecodedModelFile {
  file: ModelFile;
  index: DecodedTrieIndex;
}

/** decodeModelFile, also handing over the trie index; the model loads from both without re-deriving it. */
export function decodeIndexedModelFile(bytes: Uint8Array, spare: ArrayBuffer[] = []): DecodedModelFile {
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError('foreign', 'not a byte array');
  const magicBytes = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < magicBytes; i++) {
    if (bytes[i] !== MAGIC[i]) throw new ModelFormatError('foreign', 'not a model file (unknown magic bytes)');
  }
  if (bytes.length < FRAME_BYTES) throw new ModelFormatError('truncated', `file is ${bytes.length} bytes, shorter than its ${FRAME_BYTES}-byte frame`);
  const frame = new DataView(bytes.buffer, bytes.byteOffset, FRAME_BYTES);
  const payloadBytes = frame.getUint32(12, true);
  const available = bytes.length - FRAME_BYTES;
  if (payloadBytes > available) throw new ModelFormatError('truncated', `payload is ${available} of ${payloadBytes} bytes`);
  if (payloadBytes < available) throw new ModelFormatError('corrupt', `${available - payloadBytes} unexpected bytes after the payload`);
  const payload = bytes.subarray(FRAME_BYTES);
  // The checksum covers the version too, so a damaged version byte reads as damage rather than
  // as a file from the future; every later format keeps this frame.
  if (frameChecksum(bytes.subarray(8, 16), payload) !== frame.getUint32(16, true)) {
    throw new ModelFormatError('checksum', 'checksum does not match: the file is damaged');
  }
  const version = frame.getUint32(8, true);
  if (version === 0) throw new ModelFormatError('corrupt', 'format version 0 does not exist');
  if (version > FORMAT_VERSION) {
    throw new ModelFormatError('newer-version', `file has format version ${version}; this program reads up to ${FORMAT_VERSION}`);
  }

  try {
    return decodePayload(payload, version, spare);
  } catch (error) {
    if (error instanceof ModelFormatError) throw error;
    // msgpackr and zlib throw their own errors (and a deep nesting can overflow the stack): all of
    // them mean the payload is not what its checksum promised a writer put there.
    throw new ModelFormatError('corrupt', `payload cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Wraps an already packed payload in the frame. Exported for tests and tools that craft files. */
export function frameModelPayload(payload: Uint8Array, formatVersion: number = FORMAT_VERSION): Uint8Array {
  const file = new Uint8Array(FRAME_BYTES + payload.length);
  file.set(MAGIC, 0);
  const frame = new DataView(file.buffer, 0, FRAME_BYTES);
  frame.setUint32(8, formatVersion, true);
  frame.setUint32(12, payload.length, true);
  frame.setUint32(16, frameChecksum(file.subarray(8, 16), payload), true);
  file.set(payload, FRAME_BYTES);
  return file;
}

/**
 * The first way `file` breaks the stored-form invariants (types.ts), or null. decodeModelFile
 * guarantees all of them of what it returns except distinct words (see duplicateWordProblem).
 */
export function modelFileProblem(file: ModelFile, index?: EncoderIndex): string | null {
  try {
    headerFields(file.header);
    vocabProblem(file.vocab);
    duplicateWordProblem(file.vocab);
    // UTF-8 cannot carry a lone surrogate: it would come back as U+FFFD, a different word. (A
    // decoded vocabulary never holds one: the decoder's TextDecoder is fatal.)
    if (LONE_SURROGATE.test(file.vocab.join(''))) fail('a vocabulary word is not well-formed Unicode');
    countsProblem(file.counts, file.vocab.length, index);
    if (file.embeddings !== null) embeddingsProblem(file.embeddings, file.vocab.length);
    return null;
  } catch (error) {
    if (error instanceof ModelFormatError) return error.message;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Checksum: CRC-32 (IEEE), native where Node has it (20.15+), table-driven otherwise.

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

const crc32: Crc32 = nativeCrc32 ? (data, previous = 0) => nativeCrc32(data, previous) >>> 0 : portableCrc32;

const frameChecksum = (versionAndLength: Uint8Array, payload: Uint8Array) => crc32(payload, crc32(versionAndLength));

// ---------------------------------------------------------------------------------------------
// Payload

// Records (msgpackr's shared structures) would make a file depend on state outside itself.
const payloadPackr = new Packr({ useRecords: false });
const payloadUnpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** A compressed varint or byte stream as stored: [method, raw byte length, bytes]. */
type StoredStream = [method: number, rawBytes: number, bytes: Uint8Array];

interface DecodeBudget {
  /** Raw (decompressed) bytes still allowed. */
  rawBytes: number;
  /** Trie nodes and vocabulary words still allowed. */
  nodes: number;
}

function decodePayload(payload: Uint8Array, version: number, spare: ArrayBuffer[]): DecodedModelFile {
  const root = record(payloadUnpackr.unpack(payload), 'payload');
  const budget: DecodeBudget = { rawBytes: rawByteLimit(payload.length), nodes: nodeLimit(payload.length) };
  const header: ModelFileHeader = { formatVersion: version, ...headerFields(root.header) };
  const vocab = decodeVocab(root.vocab, budget);
  const { counts, index } = decodeCounts(root.counts, vocab.length, budget, version, spare);
  const embeddings = root.embeddings === null ? null : decodeEmbeddings(root.embeddings, vocab.length);
  return { file: { header, vocab, counts, embeddings }, index };
}

function storeStream(raw: Uint8Array): StoredStream {
  if (raw.length >= MIN_COMPRESSED_STREAM) {
    const compressed = zlib.deflateRawSync(raw, { level: DEFLATE_LEVEL, memLevel: 9 });
    if (compressed.length < raw.length) return [STREAM_DEFLATE, raw.length, compressed];
  }
  return [STREAM_RAW, raw.length, raw];
}

/** Decompresses a stored stream whose raw size may be at most `maxRawBytes` (and the budget). */
function loadStream(value: unknown, maxRawBytes: number, budget: DecodeBudget, what: string): Uint8Array {
  if (!Array.isArray(value) || value.length !== 3) fail(`${what}: not a stream`);
  const method = value[0] as unknown;
  const rawBytes = integerIn(value[1], 0, Math.min(maxRawBytes, budget.rawBytes), `${what} size`);
  const bytes = value[2] as unknown;
  if (!(bytes instanceof Uint8Array)) fail(`${what}: bytes missing`);
  budget.rawBytes -= rawBytes;
  if (method === STREAM_RAW) {
    if (bytes.length !== rawBytes) fail(`${what}: ${bytes.length} bytes stored, ${rawBytes} declared`);
    return bytes;
  }
  if (method !== STREAM_DEFLATE) fail(`${what}: unknown compression ${String(method)}`);
  if (rawBytes === 0) fail(`${what}: empty stream stored compressed`);
  let raw: Uint8Array;
  try {
    // One output chunk of the declared size (plus the byte that catches a longer stream): zlib's
    // default 16 KB chunks cost a list of buffers and a final copy, ~3 of 13 ms on Brown order 5.
    // Nothing is touched beyond what is written, and the budget bounds the declared sizes.
    raw = zlib.inflateRawSync(bytes, { maxOutputLength: rawBytes, chunkSize: Math.max(64, rawBytes + 1) });
  } catch {
    fail(`${what}: compressed data is damaged or larger than declared`);
  }
  if (raw.length !== rawBytes) fail(`${what}: decompressed to ${raw.length} bytes, ${rawBytes} declared`);
  return raw;
}

// ---------------------------------------------------------------------------------------------
// Varints

class VarintWriter {
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
    if (!(value >= 0 && value <= MAX_VARINT_VALUE)) throw new RangeError(`cannot encode model file: value ${value} out of range`);
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
interface VarintStream {
  bytes: Uint8Array;
  position: number;
  what: string;
}

function varintStream(bytes: Uint8Array, what: string): VarintStream {
  return { bytes, position: 0, what };
}

function nextVarint(stream: VarintStream): number {
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
let longVarintEnd = 0;

function readLongVarint(stream: VarintStream, position: number): number {
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
function expectConsumed(stream: VarintStream): void {
  if (stream.position !== stream.bytes.length) fail(`${stream.what}: ${stream.bytes.length - stream.position} unused bytes`);
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: one UTF-8 block plus each word's length in UTF-16 code units, so decoding is one
// TextDecoder call and a slice per word.

const RESERVED_WORDS = [UNK, BOS, EOS];
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function vocabProblem(vocab: string[]): void {
  if (!Array.isArray(vocab)) fail('vocabulary is not a list');
  if (vocab.length < RESERVED_WORDS.length) fail(`vocabulary has ${vocab.length} words, fewer than the reserved ones`);
  for (let id = 0; id < vocab.length; id++) {
    if (typeof vocab[id] !== 'string') fail(`vocabulary word ${id} is not a string`);
  }
  for (let id = 0; id < RESERVED_WORDS.length; id++) {
    if (vocab[id] !== RESERVED_WORDS[id]) fail(`vocabulary word ${id} must be ${RESERVED_WORDS[id]}`);
  }
}

/**
 * Only the encoder looks for duplicates: hashing every word costs a tenth of a large model's
 * decode, and a duplicate read from a damaged file is harmless (text maps to one of its ids, the
 * other is never chosen by a lookup). The model's word index can notice one for free.
 */
function duplicateWordProblem(vocab: string[]): void {
  const seen = new Set<string>();
  for (let id = 0; id < vocab.length; id++) {
    if (seen.has(vocab[id])) fail(`vocabulary word ${id} is a duplicate`);
    seen.add(vocab[id]);
  }
}

function encodeVocab(vocab: string[]): { stored: unknown; rawBytes: number } {
  const lengths = new VarintWriter(vocab.length);
  for (const word of vocab) lengths.push(word.length);
  const lengthBytes = lengths.finish();
  const text = new TextEncoder().encode(vocab.join(''));
  return { stored: { size: vocab.length, lengths: storeStream(lengthBytes), text: storeStream(text) }, rawBytes: lengthBytes.length + text.length };
}

function decodeVocab(value: unknown, budget: DecodeBudget): string[] {
  const stored = record(value, 'vocabulary');
  const size = integerIn(stored.size, RESERVED_WORDS.length, budget.nodes, 'vocabulary size');
  budget.nodes -= size;
  const lengths = varintStream(loadStream(stored.lengths, size * MAX_VARINT_BYTES, budget, 'vocabulary lengths'), 'vocabulary lengths');
  const textBytes = loadStream(stored.text, budget.rawBytes, budget, 'vocabulary text');
  let text: string;
  try {
    text = utf8Decoder.decode(textBytes);
  } catch {
    fail('vocabulary text is not valid UTF-8');
  }
  const vocab = new Array<string>(size);
  let offset = 0;
  for (let id = 0; id < size; id++) {
    const length = nextVarint(lengths);
    if (length > text.length - offset) fail('vocabulary lengths exceed its text');
    vocab[id] = text.slice(offset, offset + length);
    offset += length;
  }
  expectConsumed(lengths);
  if (offset !== text.length) fail('vocabulary text is longer than its words');
  vocabProblem(vocab);
  return vocab;
}

// ---------------------------------------------------------------------------------------------
// Count trie
//
// Per level i, five streams (empty where they do not apply):
//   words   level 0: word − previous word − 1. Level i ≥ 1: 0 = escaped, else rank among the
//           children of the parent's suffix node minus the previous sibling's rank.
//   escapes level i ≥ 1: escaped word − previous sibling's word − 1.
//   counts  level 0: the count. Level i ≥ 1: counts of all but the last child of each parent with
//           two or more children.
//   fanout  level i < order−1: number of children of each node.
//   excess  level i < order−1, nodes with children: zigzag(count − Σ children counts), where a
//           run of n zeros (nearly every node of an unpruned trie) is written 0, n−1.
// and two that only pruned models have, null when the level lacks the array:
//   adjusted, prunedMass   the level's array of that name, one varint per node.

const LEVEL_STREAMS = 7;
const [WORDS, ESCAPES, COUNTS, FANOUT, EXCESS, ADJUSTED, PRUNED_MASS] = [0, 1, 2, 3, 4, 5, 6];
/** Optional per-node arrays of pruned models, stored as plain varint streams (null when absent). */
const OPTIONAL_LEVEL_ARRAYS = [
  { kind: ADJUSTED, field: 'adjusted' },
  { kind: PRUNED_MASS, field: 'prunedMass' },
] as const;

/**
 * Throws unless `counts` keeps the stored-form invariants of types.ts. With the graph's index the
 * (parent, word) order is checked through its child starts, so a model's levels never have to
 * derive their parent arrays for a save.
 */
function countsProblem(counts: CountTrie, vocabSize: number, index?: EncoderIndex): void {
  if (counts === null || typeof counts !== 'object') fail('counts missing');
  const order = integerIn(counts.order, 1, MAX_ORDER, 'counts order');
  if (!Array.isArray(counts.levels) || counts.levels.length !== order) fail(`counts have ${String(counts.levels?.length)} levels for order ${order}`);
  if (index !== undefined) return indexedCountsProblem(counts, vocabSize, index);
  let previousSize = 1;
  counts.levels.forEach((level, i) => {
    if (!(level?.parent instanceof Int32Array && level.word instanceof Int32Array && level.count instanceof Uint32Array)) {
      fail(`level ${i} arrays have the wrong types`);
    }
    const size = level.parent.length;
    if (level.word.length !== size || level.count.length !== size) fail(`level ${i} arrays differ in length`);
    for (const { field } of OPTIONAL_LEVEL_ARRAYS) {
      const values = level[field];
      if (values !== undefined && !(values instanceof Uint32Array && values.length === size)) fail(`level ${i} ${field} is not a Uint32Array of the level's length`);
    }
    let previousParent = 0;
    let previousWord = -1;
    for (let n = 0; n < size; n++) {
      const parent = level.parent[n];
      const word = level.word[n];
      if (i === 0 ? parent !== 0 : parent < 0 || parent >= previousSize) fail(`level ${i} node ${n} has parent ${parent} out of range`);
      if (word < 0 || word >= vocabSize) fail(`level ${i} node ${n} has word ${word} outside the vocabulary`);
      if (parent < previousParent || (parent === previousParent && word <= previousWord)) fail(`level ${i} is not sorted by (parent, word) at node ${n}`);
      previousParent = parent;
      previousWord = word;
    }
    previousSize = size;
  });
}

/**
 * What the pattern graph of the same trie already knows (graph.ts): global child starts and
 * suffix links. With it the encoder neither recomputes them nor searches for each child's suffix,
 * which takes two level-sized arrays off the memory a save needs on top of the model.
 */
export type EncoderIndex = Pick<TrieIndex, 'offsets' | 'word' | 'count' | 'childStart' | 'suffix'>;

function indexedCountsProblem(counts: CountTrie, vocabSize: number, index: EncoderIndex): void {
  const { offsets, childStart } = index;
  if (offsets.length !== counts.order + 1 || offsets[0] !== 0) fail('index does not match the counts order');
  counts.levels.forEach((level, i) => {
    if (!(level?.word instanceof Int32Array && level.count instanceof Uint32Array)) fail(`level ${i} arrays have the wrong types`);
    const size = level.word.length;
    if (level.count.length !== size || offsets[i + 1] - offsets[i] !== size) fail(`level ${i} arrays differ in length`);
    for (const { field } of OPTIONAL_LEVEL_ARRAYS) {
      const values = level[field];
      if (values !== undefined && !(values instanceof Uint32Array && values.length === size)) fail(`level ${i} ${field} is not a Uint32Array of the level's length`);
    }
    const words = level.word;
    for (let n = 0; n < size; n++) if (!(words[n] >= 0 && words[n] < vocabSize)) fail(`level ${i} node ${n} has word ${words[n]} outside the vocabulary`);
    if (i === 0) {
      for (let n = 1; n < size; n++) if (words[n] <= words[n - 1]) fail('level 0 is not sorted by word');
      return;
    }
    // The children of the previous level tile this level in order, each run sorted by word.
    if (childStart[offsets[i - 1]] !== offsets[i]) fail(`level ${i} does not start where its parents' children do`);
    for (let p = offsets[i - 1]; p < offsets[i]; p++) {
      const from = childStart[p] - offsets[i];
      const to = childStart[p + 1] - offsets[i];
      if (!(from <= to && to <= size)) fail(`level ${i} child runs are out of order`);
      for (let n = from + 1; n < to; n++) if (words[n] <= words[n - 1]) fail(`level ${i} is not sorted by (parent, word) at node ${n}`);
    }
    if (childStart[offsets[i]] - offsets[i] !== size) fail(`level ${i} holds nodes without a parent`);
  });
}

/** Per level below the highest, what the trie implies for each optional array (see extrasBaselines). */
type ExtrasBaselines = Record<'adjusted' | 'prunedMass', Uint32Array[]>;

/** The trie in global form, as the graph (and the decoder) lay it out; suffix −1 = not stored. */
type GlobalTrie = Pick<TrieIndex, 'offsets' | 'word' | 'count' | 'childStart' | 'suffix'>;

/**
 * What a pruned trie's own shape implies for its extras (format version 2 stores the differences).
 * Every occurrence of an n-gram that does not start with <s> has a word before it, and every one
 * that does not end with </s> a word after it, so the counts its kept extensions leave over are
 * the counts of its pruned ones, each at least 1:
 *   adjusted    N1+(• w): kept left extensions plus the count the kept ones leave (exact when every
 *               pruned extension was seen once, as with min-frequency 2; an upper bound otherwise);
 *               the raw count for n-grams starting with <s>, 0 for <s> itself (lmplz's rules);
 *   prunedMass  the adjusted mass of a context's pruned continuations: the count its kept
 *               continuations leave (again exact for singletons, an upper bound otherwise); 0 for a
 *               context ending in </s>.
 * So for a trained model the differences are small and mostly zero. A node's suffix counts only
 * when it is exactly one level down.
 */
function extrasBaselines(trie: GlobalTrie, order: number): ExtrasBaselines {
  const { offsets, word, count, childStart, suffix } = trie;
  const adjusted: Uint32Array[] = [];
  const prunedMass: Uint32Array[] = [];
  for (let i = 0; i + 1 < order; i++) {
    const size = offsets[i + 1] - offsets[i];
    const extensions = new Uint32Array(size);
    const extensionCounts = new Float64Array(size);
    for (let c = offsets[i + 1]; c < offsets[i + 2]; c++) {
      const s = suffix[c] - offsets[i];
      if (s >= 0 && s < size) {
        extensions[s]++;
        extensionCounts[s] += count[c];
      }
    }
    const mass = new Uint32Array(size);
    for (let n = 0; n < size; n++) {
      const node = offsets[i] + n;
      const left = count[node] - extensionCounts[n];
      extensions[n] = Math.min(MAX_COUNT, extensions[n] + (left > 0 ? left : 0));
      if (word[node] === EOS_ID) continue;
      let kept = 0;
      for (let x = childStart[node]; x < childStart[node + 1]; x++) kept += count[x];
      mass[n] = count[node] > kept ? count[node] - kept : 0;
    }
    adjusted.push(extensions);
    prunedMass.push(mass);
  }
  // The n-grams starting with <s>: the <s> unigram's descendants, one contiguous run per level.
  let from = -1;
  for (let n = 0; n < offsets[1]; n++) if (word[n] === BOS_ID) from = n;
  if (from >= 0 && order > 1) {
    adjusted[0][from] = 0;
    let to = from + 1;
    for (let i = 1; i + 1 < order; i++) {
      const nextFrom = childStart[from];
      to = childStart[to];
      from = nextFrom;
      for (let n = from; n < to; n++) adjusted[i][n - offsets[i]] = count[n];
    }
  }
  return { adjusted, prunedMass };
}

/** The encoder's per-level links (local indices) in the global layout extrasBaselines reads. */
function globalLinks(levels: CountTrieLevel[], sizes: number[], local: { starts: Uint32Array; suffix: Int32Array }[]): GlobalTrie {
  const order = levels.length;
  const offsets = new Int32Array(order + 1);
  for (let i = 0; i < order; i++) offsets[i + 1] = offsets[i] + sizes[i];
  const total = offsets[order];
  const word = new Int32Array(total);
  const count = new Uint32Array(total);
  const childStart = new Int32Array(offsets[order - 1] + 1);
  const suffix = new Int32Array(total).fill(-1);
  levels.forEach((level, i) => {
    word.set(level.word, offsets[i]);
    count.set(level.count, offsets[i]);
  });
  local.forEach(({ starts, suffix: levelSuffix }, i) => {
    for (let p = 0; p < sizes[i]; p++) childStart[offsets[i] + p] = starts[p] + offsets[i + 1];
    for (let c = 0; c < levelSuffix.length; c++) if (levelSuffix[c] >= 0) suffix[offsets[i + 1] + c] = offsets[i] + levelSuffix[c];
  });
  childStart[offsets[order - 1]] = total;
  return { offsets, word, count, childStart, suffix };
}

/** childStart[p]..childStart[p+1] are the children of node p in the next level. */
function childStarts(parentSize: number, childParents: Int32Array): Uint32Array {
  const starts = new Uint32Array(parentSize + 1);
  for (let n = 0; n < childParents.length; n++) starts[childParents[n] + 1]++;
  for (let p = 0; p < parentSize; p++) starts[p + 1] += starts[p];
  return starts;
}

function encodeCounts(counts: CountTrie, vocabSize: number, index?: EncoderIndex): { stored: unknown; rawBytes: number; nodes: number } {
  const { order, levels } = counts;
  const sizes = levels.map((level) => level.word.length);
  const streams: Uint8Array[][] = [];
  const compressed: (StoredStream | null)[][] = [];
  let rawBytes = 0;
  const compressLevel = (level: Uint8Array[]): (StoredStream | null)[] =>
    level.map((raw) => {
      rawBytes += raw.length;
      return storeStream(raw);
    });
  const empty = new Uint8Array(0);

  // Level 0: plain words and counts.
  const level0 = levels[0];
  const words0 = new VarintWriter(sizes[0]);
  const counts0 = new VarintWriter(sizes[0] * 2);
  let previousWord = -1;
  for (let n = 0; n < sizes[0]; n++) {
    words0.push(level0.word[n] - previousWord - 1);
    previousWord = level0.word[n];
    counts0.push(level0.count[n]);
  }
  streams.push([words0.finish(), empty, counts0.finish(), empty, empty]);

  const unigramIndex = new Int32Array(vocabSize).fill(-1);
  for (let n = 0; n < sizes[0]; n++) unigramIndex[level0.word[n]] = n;

  // suffix[n] of the level above: index of node n's suffix one level down, −1 if absent; the
  // suffix of a unigram is the virtual root whose children are all of level 0.
  const hasExtras = levels.some((level) => OPTIONAL_LEVEL_ARRAYS.some(({ field }) => level[field] !== undefined));
  // Without the graph's index, a file with extras needs the links in global form for its baselines.
  const localLinks: { starts: Uint32Array; suffix: Int32Array }[] = [];
  let suffixAbove = new Int32Array(sizes[0]);
  let startsBelow: Uint32Array = Uint32Array.of(0, sizes[0]);
  for (let i = 0; i + 1 < order; i++) {
    let children: ChildStreamBytes;
    if (index !== undefined) {
      children = encodeChildren(levels[i], levels[i + 1], graphLinks(index, i), null, i === 0 ? unigramIndex : null);
    } else {
      const starts = childStarts(sizes[i], levels[i + 1].parent);
      const suffix = new Int32Array(sizes[i + 1]);
      const links: ChildLinks = { starts, startBase: 0, startShift: 0, suffixAbove, suffixBase: 0, suffixShift: 0, suffixLevelSize: i === 0 ? 1 : sizes[i - 1], startsBelow, belowStartBase: 0, belowStartShift: 0 };
      children = encodeChildren(levels[i], levels[i + 1], links, suffix, i === 0 ? unigramIndex : null);
      suffixAbove = suffix;
      startsBelow = starts;
      if (hasExtras) localLinks.push({ starts, suffix });
    }
    streams[i][FANOUT] = children.fanout;
    streams[i][EXCESS] = children.excess;
    streams.push([children.words, children.escapes, children.counts, empty, empty]);
    // Level i's streams are complete: compress them now, so the raw bytes of all levels never
    // coexist (they are most of what saving a model needs on top of the model).
    compressed.push(compressLevel(streams[i]));
    streams[i] = [];
  }
  compressed.push(compressLevel(streams[order - 1]));
  streams.length = 0;

  const baselines = hasExtras ? extrasBaselines(index ?? globalLinks(levels, sizes, localLinks), order) : null;
  const storedLevels = compressed.map((stored, i) => {
    for (const { field } of OPTIONAL_LEVEL_ARRAYS) {
      const values = levels[i][field];
      if (values === undefined) {
        stored.push(null);
        continue;
      }
      const base = (baselines as ExtrasBaselines)[field][i];
      const raw = new VarintWriter(values.length);
      for (let n = 0; n < values.length; n++) raw.pushSigned(values[n] - base[n]);
      const bytes = raw.finish();
      rawBytes += bytes.length;
      stored.push(storeStream(bytes));
    }
    return stored;
  });
  return { stored: { order, sizes, levels: storedLevels }, rawBytes, nodes: sizes.reduce((a, b) => a + b, 0) };
}

type ChildStreamBytes = Record<'fanout' | 'excess' | 'words' | 'escapes' | 'counts', Uint8Array>;

/**
 * Where encodeChildren finds, for node p of the level above, its children (starts[startBase + p]
 * − startShift, in the level below) and its suffix one level up the trie (suffixAbove[suffixBase
 * + p] − suffixShift, a node of the level before, absent unless in [0, suffixLevelSize)), whose
 * children are startsBelow[belowStartBase + s] − belowStartShift onwards. Local arrays (shifts 0)
 * or the graph's global ones (graphLinks).
 */
interface ChildLinks {
  starts: Int32Array | Uint32Array;
  startBase: number;
  startShift: number;
  suffixAbove: Int32Array;
  suffixBase: number;
  suffixShift: number;
  suffixLevelSize: number;
  startsBelow: Int32Array | Uint32Array;
  belowStartBase: number;
  belowStartShift: number;
}

/** ChildLinks of level i read from the graph's global arrays (for i = 0 the root is the suffix). */
function graphLinks(index: EncoderIndex, i: number): ChildLinks {
  const { offsets, childStart, suffix } = index;
  if (i === 0) {
    return { starts: childStart, startBase: 0, startShift: offsets[1], suffixAbove: new Int32Array(offsets[1]), suffixBase: 0, suffixShift: 0, suffixLevelSize: 1, startsBelow: Uint32Array.of(0, offsets[1]), belowStartBase: 0, belowStartShift: 0 };
  }
  return {
    starts: childStart,
    startBase: offsets[i],
    startShift: offsets[i + 1],
    suffixAbove: suffix,
    suffixBase: offsets[i],
    suffixShift: offsets[i - 1],
    suffixLevelSize: offsets[i] - offsets[i - 1],
    startsBelow: childStart,
    belowStartBase: offsets[i - 1],
    belowStartShift: offsets[i],
  };
}

/**
 * The streams describing the children of level `above` (see decodeChildren, its inverse). With
 * local links it also records each child's suffix (`suffix`, for the next level's call).
 */
function encodeChildren(
  above: CountTrieLevel,
  below: CountTrieLevel,
  links: ChildLinks,
  suffix: Int32Array | null,
  unigramIndex: Int32Array | null,
): ChildStreamBytes {
  const { starts, startBase, startShift, suffixAbove, suffixBase, suffixShift, suffixLevelSize, startsBelow, belowStartBase, belowStartShift } = links;
  const sizeAbove = above.word.length;
  const fanout = new VarintWriter(sizeAbove);
  const excess = new VarintWriter(0);
  const words = new VarintWriter(below.word.length);
  const escapes = new VarintWriter(0);
  const childCounts = new VarintWriter(below.word.length);
  const aboveCounts = above.count;
  const candidateWords = above.word;
  const belowWords = below.word;
  const belowCounts = below.count;
  let zeroExcesses = 0;
  for (let p = 0; p < sizeAbove; p++) {
    const first = starts[startBase + p] - startShift;
    const end = starts[startBase + p + 1] - startShift;
    fanout.push(end - first);
    if (end === first) continue;
    let childSum = 0;
    for (let c = first; c < end; c++) childSum += belowCounts[c];
    const nodeExcess = aboveCounts[p] - childSum;
    if (nodeExcess === 0) zeroExcesses++;
    else {
      if (zeroExcesses > 0) {
        excess.push(0);
        excess.push(zeroExcesses - 1);
        zeroExcesses = 0;
      }
      excess.pushSigned(nodeExcess);
    }
    for (let c = first + 1; c < end; c++) childCounts.push(belowCounts[c - 1]);

    const parentSuffix = suffixAbove[suffixBase + p] - suffixShift;
    const exact = parentSuffix >= 0 && parentSuffix < suffixLevelSize;
    const low = exact ? startsBelow[belowStartBase + parentSuffix] - belowStartShift : 0;
    const high = exact ? startsBelow[belowStartBase + parentSuffix + 1] - belowStartShift : 0;
    let previousRank = -1;
    let previousSibling = -1;
    let searchFrom = low;
    for (let c = first; c < end; c++) {
      const word = belowWords[c];
      // Under the root every unigram is a candidate: look it up instead of searching.
      const at = unigramIndex !== null ? unigramIndex[word] : lowerBound(candidateWords, searchFrom, high, word);
      if (at >= searchFrom && at < high && candidateWords[at] === word) {
        const rank = at - low;
        words.push(rank - previousRank);
        previousRank = rank;
        if (suffix !== null) suffix[c] = at;
        searchFrom = at + 1;
      } else {
        words.push(0);
        escapes.push(word - previousSibling - 1);
        if (suffix !== null) suffix[c] = -1;
        if (unigramIndex === null) searchFrom = at;
      }
      previousSibling = word;
    }
  }
  if (zeroExcesses > 0) {
    excess.push(0);
    excess.push(zeroExcesses - 1);
  }
  return { fanout: fanout.finish(), excess: excess.finish(), words: words.finish(), escapes: escapes.finish(), counts: childCounts.finish() };
}

/**
 * First index in [low, high) whose value is ≥ `value`. Gallops from `low`: siblings are looked up
 * in increasing order, so the next one is usually a few places on.
 */
function lowerBound(sorted: Int32Array, low: number, high: number, value: number): number {
  let step = 1;
  while (low + step <= high && sorted[low + step - 1] < value) {
    low += step;
    step *= 2;
  }
  high = Math.min(high, low + step - 1);
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The decoder lays the trie out as the pattern graph does (graph.ts) and finds each node's suffix
 * anyway, because child words are stored as ranks among the suffix's children: handing these over
 * saves the model a copy of every array and a binary search per node at load.
 */
type DecodedTrieIndex = TrieIndex;

function decodeCounts(
  value: unknown,
  vocabSize: number,
  budget: DecodeBudget,
  version: number,
  spare: ArrayBuffer[],
): { counts: CountTrie; index: DecodedTrieIndex } {
  const stored = record(value, 'counts');
  const order = integerIn(stored.order, 1, MAX_ORDER, 'counts order');
  if (!Array.isArray(stored.sizes) || stored.sizes.length !== order) fail('counts: level sizes do not match the order');
  if (!Array.isArray(stored.levels) || stored.levels.length !== order) fail('counts: level streams do not match the order');
  const sizes: number[] = [];
  const offsets = new Int32Array(order + 1);
  for (let i = 0; i < order; i++) {
    const size = integerIn(stored.sizes[i], 0, budget.nodes, `level ${i} size`);
    budget.nodes -= size;
    sizes.push(size);
    offsets[i + 1] = offsets[i] + size;
  }
  const levelStreams = stored.levels.map((level: unknown, i: number) => {
    if (!Array.isArray(level) || level.length !== LEVEL_STREAMS) fail(`level ${i}: streams missing`);
    return level as unknown[];
  });
  const stream = (level: number, kind: number, maxValues: number, name: string): VarintStream =>
    varintStream(loadStream(levelStreams[level][kind], maxValues * MAX_VARINT_BYTES, budget, `level ${level} ${name}`), `level ${level} ${name}`);

  // The node budget above bounds these allocations. They may take the caller's spare buffers
  // (arrays.ts), as will the model's adjusted counts and probabilities.
  const total = offsets[order];
  const arrays = new SpareArrays(spare);
  const index: DecodedTrieIndex = {
    offsets,
    word: arrays.int32(total),
    count: arrays.uint32(total),
    childStart: arrays.int32(offsets[order - 1] + 1),
    suffix: arrays.int32(total),
    arrays,
  };
  // Parents are not decoded: the child starts say the same, and levels derive them if asked.
  const levels = levelViews({ order, ...index });
  const size0 = sizes[0];
  const level0 = levels[0];
  const words0 = stream(0, WORDS, size0, 'words');
  const counts0 = stream(0, COUNTS, size0, 'counts');
  let word = -1;
  for (let n = 0; n < size0; n++) {
    word += nextVarint(words0) + 1;
    if (word >= vocabSize) fail(`level 0 node ${n}: word outside the vocabulary`);
    level0.word[n] = word;
    const count = nextVarint(counts0);
    if (count > MAX_COUNT) fail(`level 0 node ${n}: count out of range`);
    level0.count[n] = count;
  }
  for (const used of [words0, counts0, stream(0, ESCAPES, 0, 'escapes')]) expectConsumed(used);
  index.suffix.fill(-1, 0, size0);

  let unknownSuffixes = 0;
  for (let i = 0; i + 1 < order; i++) {
    const streams: ChildStreams = {
      fanout: stream(i, FANOUT, sizes[i], 'fanout'),
      excess: stream(i, EXCESS, sizes[i], 'excess'),
      words: stream(i + 1, WORDS, sizes[i + 1], 'words'),
      escapes: stream(i + 1, ESCAPES, sizes[i + 1], 'escapes'),
      counts: stream(i + 1, COUNTS, sizes[i + 1], 'counts'),
    };
    unknownSuffixes += decodeChildren(i, index, streams, vocabSize);
    for (const used of Object.values(streams)) expectConsumed(used);
  }
  index.childStart[offsets[order - 1]] = total;
  // Escaped child words are the only nodes decoded without their suffix: the graph searches those.
  index.unknownSuffixes = unknownSuffixes;
  // The deepest level has no children: its fanout and excess streams must be empty.
  expectConsumed(stream(order - 1, FANOUT, 0, 'fanout'));
  expectConsumed(stream(order - 1, EXCESS, 0, 'excess'));
  const deltas = version >= DELTA_EXTRAS_VERSION;
  let baselines: ExtrasBaselines | null = null;
  levels.forEach((level, i) => {
    for (const { kind, field } of OPTIONAL_LEVEL_ARRAYS) {
      if (levelStreams[i][kind] === null) continue;
      const values = stream(i, kind, sizes[i], field);
      const array = new Uint32Array(sizes[i]);
      const base = deltas ? (baselines ??= extrasBaselines(index, order))[field][i] : undefined;
      for (let n = 0; n < array.length; n++) {
        let value = nextVarint(values);
        if (base !== undefined) value = base[n] + (value % 2 === 0 ? value / 2 : -(value + 1) / 2);
        if (!(value >= 0 && value <= MAX_COUNT)) fail(`level ${i} ${field} ${n}: out of range`);
        array[n] = value;
      }
      expectConsumed(values);
      level[field] = array;
    }
  });
  return { counts: { order, levels }, index };
}

interface ChildStreams {
  fanout: VarintStream;
  excess: VarintStream;
  words: VarintStream;
  escapes: VarintStream;
  counts: VarintStream;
}

/**
 * Rebuilds level i+1 from the streams describing the children of level i, with the child starts
 * of level i and the suffix links of level i+1 (global indices, see DecodedTrieIndex). This is the
 * loop that decides load time, so every stream position lives in a local and one-byte values
 * (nearly all of them) take the inline path; a load past a stream's end yields undefined and so
 * takes the checked path.
 */
function decodeChildren(i: number, index: DecodedTrieIndex, streams: ChildStreams, vocabSize: number): number {
  const { fanout, excess, words, escapes, counts } = streams;
  const fanoutBytes = fanout.bytes;
  const excessBytes = excess.bytes;
  const wordBytes = words.bytes;
  const escapeBytes = escapes.bytes;
  const countBytes = counts.bytes;
  let fanoutAt = 0;
  let excessAt = 0;
  let wordAt = 0;
  let escapeAt = 0;
  let countAt = 0;
  const { offsets, word: nodeWords, count: nodeCounts, childStart, suffix } = index;
  const aboveFrom = offsets[i];
  const aboveTo = offsets[i + 1];
  const belowFrom = offsets[i + 1];
  const belowTo = offsets[i + 2];
  let byte: number;
  let zeroExcessesLeft = 0;
  let escaped = 0;
  let c = belowFrom;
  for (let p = aboveFrom; p < aboveTo; p++) {
    let children: number;
    if ((byte = fanoutBytes[fanoutAt]) < 0x80) {
      children = byte;
      fanoutAt++;
    } else {
      children = readLongVarint(fanout, fanoutAt);
      fanoutAt = longVarintEnd;
    }
    if (children > belowTo - c) fail(`level ${i} node ${p - aboveFrom}: more children than level ${i + 1} holds`);
    childStart[p] = c;
    const end = c + children;
    if (children === 0) continue;
    let zigzag = 0;
    if (zeroExcessesLeft > 0) zeroExcessesLeft--;
    else {
      if ((byte = excessBytes[excessAt]) < 0x80) {
        zigzag = byte;
        excessAt++;
      } else {
        zigzag = readLongVarint(excess, excessAt);
        excessAt = longVarintEnd;
      }
      if (zigzag === 0) {
        zeroExcessesLeft = readLongVarint(excess, excessAt);
        excessAt = longVarintEnd;
      }
    }
    let rest = nodeCounts[p] - (zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
    if (rest < 0) fail(`level ${i} node ${p - aboveFrom}: excess larger than its count`);

    // Candidates for the child words: the children of the parent's suffix (of the root, that is
    // every unigram, for a unigram parent); none when the parent's suffix is not stored.
    const parentSuffix = i === 0 ? -2 : suffix[p];
    const low = parentSuffix === -2 ? 0 : parentSuffix < 0 ? 0 : childStart[parentSuffix];
    const candidates = parentSuffix === -2 ? aboveTo : parentSuffix < 0 ? 0 : childStart[parentSuffix + 1] - low;
    let previousRank = -1;
    let previousWord = -1;
    for (; c < end; c++) {
      let code: number;
      if ((byte = wordBytes[wordAt]) < 0x80) {
        code = byte;
        wordAt++;
      } else {
        code = readLongVarint(words, wordAt);
        wordAt = longVarintEnd;
      }
      let word: number;
      if (code === 0) {
        let gap: number;
        if ((byte = escapeBytes[escapeAt]) < 0x80) {
          gap = byte;
          escapeAt++;
        } else {
          gap = readLongVarint(escapes, escapeAt);
          escapeAt = longVarintEnd;
        }
        word = previousWord + gap + 1;
        if (word >= vocabSize) fail(`level ${i + 1} node ${c - belowFrom}: word outside the vocabulary`);
        suffix[c] = -1;
        escaped++;
      } else {
        const rank = previousRank + code;
        if (rank >= candidates) fail(`level ${i + 1} node ${c - belowFrom}: rank outside its suffix's children`);
        previousRank = rank;
        suffix[c] = low + rank;
        word = nodeWords[low + rank];
        if (word <= previousWord) fail(`level ${i + 1} node ${c - belowFrom}: words not in order`);
      }
      nodeWords[c] = word;
      previousWord = word;
      if (c + 1 === end) {
        if (rest > MAX_COUNT) fail(`level ${i + 1} node ${c - belowFrom}: count out of range`);
        nodeCounts[c] = rest;
      } else {
        let count: number;
        if ((byte = countBytes[countAt]) < 0x80) {
          count = byte;
          countAt++;
        } else {
          count = readLongVarint(counts, countAt);
          countAt = longVarintEnd;
        }
        if (count > rest || count > MAX_COUNT) fail(`level ${i + 1} node ${c - belowFrom}: count out of range`);
        nodeCounts[c] = count;
        rest -= count;
      }
    }
  }
  if (c !== belowTo) fail(`level ${i + 1}: ${c - belowFrom} nodes have parents, ${belowTo - belowFrom} declared`);
  if (zeroExcessesLeft !== 0) fail(`${excess.what}: a run of zeros longer than the nodes with children`);
  fanout.position = fanoutAt;
  excess.position = excessAt;
  words.position = wordAt;
  escapes.position = escapeAt;
  counts.position = countAt;
  return escaped;
}

// ---------------------------------------------------------------------------------------------
// Embeddings: raw int8 bytes and little-endian float32 scales. Quantized vectors are near
// incompressible, and raw bytes make loading a copy.

function embeddingsProblem(table: EmbeddingTable, vocabSize: number): void {
  if (table === null || typeof table !== 'object') fail('embeddings are not a table');
  const dim = integerIn(table.dim, 1, MAX_EMBEDDING_DIM, 'embedding dimensions');
  const count = integerIn(table.count, 0, vocabSize, 'embedding rows');
  if (!(table.values instanceof Int8Array) || table.values.length !== dim * count) fail('embedding values do not match dim × count');
  if (!(table.scales instanceof Float32Array) || table.scales.length !== count) fail('embedding scales do not match the rows');
  for (let row = 0; row < count; row++) {
    if (!Number.isFinite(table.scales[row])) fail(`embedding row ${row} has a scale that is not finite`);
  }
}

function encodeEmbeddings(table: EmbeddingTable): unknown {
  const scales = new Uint8Array(table.count * 4);
  const view = new DataView(scales.buffer);
  for (let row = 0; row < table.count; row++) view.setFloat32(row * 4, table.scales[row], true);
  return { dim: table.dim, count: table.count, values: new Uint8Array(table.values.buffer, table.values.byteOffset, table.values.length), scales };
}

function decodeEmbeddings(value: unknown, vocabSize: number): EmbeddingTable {
  const stored = record(value, 'embeddings');
  const dim = integerIn(stored.dim, 1, MAX_EMBEDDING_DIM, 'embedding dimensions');
  const count = integerIn(stored.count, 0, vocabSize, 'embedding rows');
  const values = stored.values;
  const scaleBytes = stored.scales;
  if (!(values instanceof Uint8Array) || values.length !== dim * count) fail('embedding values do not match dim × count');
  if (!(scaleBytes instanceof Uint8Array) || scaleBytes.length !== count * 4) fail('embedding scales do not match the rows');
  const view = new DataView(scaleBytes.buffer, scaleBytes.byteOffset, scaleBytes.length);
  const scales = new Float32Array(count);
  for (let row = 0; row < count; row++) {
    scales[row] = view.getFloat32(row * 4, true);
    if (!Number.isFinite(scales[row])) fail(`embedding row ${row} has a scale that is not finite`);
  }
  // Copy: a view would keep the whole file alive and share memory with the caller's buffer.
  return { dim, count, values: new Int8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.length)), scales };
}

// ---------------------------------------------------------------------------------------------
// Header: rebuilt field by field, so the result holds exactly the typed fields and nothing a
// file smuggled in.

function headerFields(value: unknown): Omit<ModelFileHeader, 'formatVersion'> {
  const header = record(value, 'header');
  const fields: Omit<ModelFileHeader, 'formatVersion'> = {
    createdAt: finiteNumber(header.createdAt, 'header.createdAt'),
    params: trainParams(header.params, 'header.params'),
    stats: modelStats(header.stats, 'header.stats'),
    pruned: boolean(header.pruned, 'header.pruned'),
  };
  // Absent rather than undefined when missing, so a decoded header equals the one written.
  if (header.discounts !== undefined) fields.discounts = discountList(header.discounts, 'header.discounts');
  return fields;
}

/** [D1, D2, D3+] per order. Only the shape is checked; the model decides whether the values are usable. */
function discountList(value: unknown, what: string): number[][] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_ORDER) fail(`${what} is not a list of 1–${MAX_ORDER} discount triples`);
  return value.map((triple: unknown, k: number) => {
    if (!Array.isArray(triple) || triple.length !== 3) fail(`${what}[${k}] is not a discount triple`);
    return triple.map((d: unknown, j: number) => finiteNumber(d, `${what}[${k}][${j}]`));
  });
}

function trainParams(value: unknown, what: string): TrainParams {
  const params = record(value, what);
  return {
    maxPatternLength: integerIn(params.maxPatternLength, 1, MAX_ORDER, `${what}.maxPatternLength`),
    minFrequency: integerIn(params.minFrequency, 1, MAX_COUNT, `${what}.minFrequency`),
    maxPatterns: integerIn(params.maxPatterns, 0, Number.MAX_SAFE_INTEGER, `${what}.maxPatterns`),
    validation: numberIn(params.validation, 0, 0.5, `${what}.validation`),
    splitSentences: boolean(params.splitSentences, `${what}.splitSentences`),
    embeddingDim: integerIn(params.embeddingDim, 0, MAX_EMBEDDING_DIM, `${what}.embeddingDim`),
  };
}

function modelStats(value: unknown, what: string): ModelStats {
  const stats = record(value, what);
  const patternsByOrder = stats.patternsByOrder;
  if (!Array.isArray(patternsByOrder) || patternsByOrder.length > MAX_ORDER) fail(`${what}.patternsByOrder is not a list of at most ${MAX_ORDER} numbers`);
  const amount = (field: string) => integerIn(stats[field], 0, Number.MAX_SAFE_INTEGER, `${what}.${field}`);
  return {
    order: integerIn(stats.order, 0, MAX_ORDER, `${what}.order`),
    vocabularySize: amount('vocabularySize'),
    patternsByOrder: patternsByOrder.map((n: unknown, i: number) => integerIn(n, 0, Number.MAX_SAFE_INTEGER, `${what}.patternsByOrder[${i}]`)),
    patterns: amount('patterns'),
    embeddings: amount('embeddings'),
    embeddingDim: amount('embeddingDim'),
    graphNodes: amount('graphNodes'),
    graphEdges: amount('graphEdges'),
    memoryBytes: amount('memoryBytes'),
    params: trainParams(stats.params, `${what}.params`),
    corpus: corpusSummary(stats.corpus, `${what}.corpus`),
    trainingMs: numberIn(stats.trainingMs, 0, Number.MAX_VALUE, `${what}.trainingMs`),
    heldOutPerplexity: stats.heldOutPerplexity === null ? null : numberIn(stats.heldOutPerplexity, 0, Infinity, `${what}.heldOutPerplexity`),
  };
}

function corpusSummary(value: unknown, what: string): CorpusSummary {
  const corpus = record(value, what);
  const amount = (field: string) => integerIn(corpus[field], 0, Number.MAX_SAFE_INTEGER, `${what}.${field}`);
  return { lines: amount('lines'), sentences: amount('sentences'), tokens: amount('tokens'), characters: amount('characters') };
}

// ---------------------------------------------------------------------------------------------
// Field checks; each throws ModelFormatError('corrupt') naming the field.

function fail(message: string): never {
  throw new ModelFormatError('corrupt', message);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) fail(`${what} is not a record`);
  return value as Record<string, unknown>;
}

function integerIn(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(`${what} is not an integer in ${min}–${max}`);
  return value;
}

function numberIn(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) fail(`${what} is not a number in ${min}–${max}`);
  return value;
}

function finiteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${what} is not a finite number`);
  return value;
}

function boolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what} is not true or false`);
  return value;
}
