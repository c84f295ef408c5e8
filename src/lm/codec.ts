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
import { ModelFormatError, type ModelFile, type ModelFileHeader } from './types.js';
import { frameChecksum } from './codec/checksum.js';
import { decodeCounts, type DecodedTrieIndex } from './codec/count-trie-decode.js';
import { countsProblem, encodeCounts, type EncoderIndex } from './codec/count-trie-encode.js';
import { decodeEmbeddings, embeddingsProblem, encodeEmbeddings } from './codec/embeddings.js';
import { fail, record } from './codec/fields.js';
import { headerFields } from './codec/header.js';
import type { DecodeBudget } from './codec/streams.js';
import { FORMAT_VERSION, FRAME_BYTES, MAGIC, nodeLimit, rawByteLimit } from './codec/limits.js';
import { LONE_SURROGATE, decodeVocab, duplicateWordProblem, encodeVocab, vocabProblem } from './codec/vocabulary.js';

// One concern per file under codec/ (as KenLM's lm/ splits its binary format): limits.ts (format
// constants and hostile-size guards), checksum.ts, varint.ts, vocabulary.ts, count-trie-encode.ts
// and count-trie-decode.ts, embeddings.ts, header.ts, fields.ts (field checks). This file holds the
// public API, the frame and the payload.
export { FORMAT_VERSION } from './codec/limits.js';
export { crc32 } from './codec/checksum.js';
export type { EncoderIndex } from './codec/count-trie-encode.js';
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
  return packModelFile(file, encodeVocab(file.vocab), encodeCounts(file.counts, file.vocab.length, index));
}

/**
 * encodeModelFile in two steps: the vocabulary and the count trie now (most of the work), the
 * header and the embeddings once they are known, by the function returned, given the file of the
 * same vocabulary and counts arrays. The bytes are encodeModelFile's.
 */
export function encodeModelFileApart(
  ngrams: Pick<ModelFile, 'vocab' | 'counts'>,
  index?: EncoderIndex,
): (file: ModelFile) => Uint8Array {
  const problem = ngramsProblem(ngrams, index);
  if (problem !== null) throw new RangeError(`cannot encode model file: ${problem}`);
  const vocab = encodeVocab(ngrams.vocab);
  const counts = encodeCounts(ngrams.counts, ngrams.vocab.length, index);
  return (file) => {
    if (file.vocab !== ngrams.vocab || file.counts.levels !== ngrams.counts.levels)
      throw new RangeError('cannot encode model file: not the vocabulary and counts encoded');
    const rest = problemOf(() => {
      headerFields(file.header);
      if (file.embeddings !== null) embeddingsProblem(file.embeddings, file.vocab.length);
    });
    if (rest !== null) throw new RangeError(`cannot encode model file: ${rest}`);
    return packModelFile(file, vocab, counts);
  };
}

function packModelFile(
  file: ModelFile,
  vocab: ReturnType<typeof encodeVocab>,
  counts: ReturnType<typeof encodeCounts>,
): Uint8Array {
  const header = headerFields(file.header);
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
  if (bytes.length < FRAME_BYTES)
    throw new ModelFormatError(
      'truncated',
      `file is ${bytes.length} bytes, shorter than its ${FRAME_BYTES}-byte frame`,
    );
  const frame = new DataView(bytes.buffer, bytes.byteOffset, FRAME_BYTES);
  const payloadBytes = frame.getUint32(12, true);
  const available = bytes.length - FRAME_BYTES;
  if (payloadBytes > available)
    throw new ModelFormatError('truncated', `payload is ${available} of ${payloadBytes} bytes`);
  if (payloadBytes < available)
    throw new ModelFormatError('corrupt', `${available - payloadBytes} unexpected bytes after the payload`);
  const payload = bytes.subarray(FRAME_BYTES);
  // The checksum covers the version too, so a damaged version byte reads as damage rather than
  // as a file from the future; every later format keeps this frame.
  if (frameChecksum(bytes.subarray(8, 16), payload) !== frame.getUint32(16, true)) {
    throw new ModelFormatError('checksum', 'checksum does not match: the file is damaged');
  }
  const version = frame.getUint32(8, true);
  if (version === 0) throw new ModelFormatError('corrupt', 'format version 0 does not exist');
  if (version > FORMAT_VERSION) {
    throw new ModelFormatError(
      'newer-version',
      `file has format version ${version}; this program reads up to ${FORMAT_VERSION}`,
    );
  }

  try {
    return decodePayload(payload, version, spare);
  } catch (error) {
    if (error instanceof ModelFormatError) throw error;
    // msgpackr and zlib throw their own errors (and a deep nesting can overflow the stack): all of
    // them mean the payload is not what its checksum promised a writer put there.
    throw new ModelFormatError(
      'corrupt',
      `payload cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
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
  return problemOf(() => {
    headerFields(file.header);
    checkNgrams(file, index);
    if (file.embeddings !== null) embeddingsProblem(file.embeddings, file.vocab.length);
  });
}

function ngramsProblem(ngrams: Pick<ModelFile, 'vocab' | 'counts'>, index?: EncoderIndex): string | null {
  return problemOf(() => checkNgrams(ngrams, index));
}

function checkNgrams(ngrams: Pick<ModelFile, 'vocab' | 'counts'>, index?: EncoderIndex): void {
  vocabProblem(ngrams.vocab);
  duplicateWordProblem(ngrams.vocab);
  // UTF-8 cannot carry a lone surrogate: it would come back as U+FFFD, a different word. (A
  // decoded vocabulary never holds one: the decoder's TextDecoder is fatal.)
  if (LONE_SURROGATE.test(ngrams.vocab.join(''))) fail('a vocabulary word is not well-formed Unicode');
  countsProblem(ngrams.counts, ngrams.vocab.length, index);
}

/** The message of the ModelFormatError `check` throws, or null. */
function problemOf(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof ModelFormatError) return error.message;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Payload

// Records (msgpackr's shared structures) would make a file depend on state outside itself.
const payloadPackr = new Packr({ useRecords: false });
const payloadUnpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

function decodePayload(payload: Uint8Array, version: number, spare: ArrayBuffer[]): DecodedModelFile {
  const root = record(payloadUnpackr.unpack(payload), 'payload');
  const budget: DecodeBudget = { rawBytes: rawByteLimit(payload.length), nodes: nodeLimit(payload.length) };
  const header: ModelFileHeader = { formatVersion: version, ...headerFields(root.header) };
  const vocab = decodeVocab(root.vocab, budget);
  const { counts, index } = decodeCounts(root.counts, vocab.length, budget, version, spare);
  const embeddings = root.embeddings === null ? null : decodeEmbeddings(root.embeddings, vocab.length);
  return { file: { header, vocab, counts, embeddings }, index };
}
