// Vocabulary: one UTF-8 block plus each word's length in UTF-16 code units, so decoding is one
// TextDecoder call and a slice per word.

import { BOS, EOS, UNK } from '../types.js';
import { loadStream, storeStream, type DecodeBudget } from './streams.js';
import { fail, integerIn, record } from './fields.js';
import { MAX_VARINT_BYTES } from './limits.js';
import { VarintWriter, expectConsumed, nextVarint, varintStream } from './varint.js';

const RESERVED_WORDS = [UNK, BOS, EOS];
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function vocabProblem(vocab: string[]): void {
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
export function duplicateWordProblem(vocab: string[]): void {
  const seen = new Set<string>();
  for (let id = 0; id < vocab.length; id++) {
    if (seen.has(vocab[id])) fail(`vocabulary word ${id} is a duplicate`);
    seen.add(vocab[id]);
  }
}

export function encodeVocab(vocab: string[]): { stored: unknown; rawBytes: number } {
  const lengths = new VarintWriter(vocab.length);
  for (const word of vocab) lengths.push(word.length);
  const lengthBytes = lengths.finish();
  const text = new TextEncoder().encode(vocab.join(''));
  return {
    stored: { size: vocab.length, lengths: storeStream(lengthBytes), text: storeStream(text) },
    rawBytes: lengthBytes.length + text.length,
  };
}

export function decodeVocab(value: unknown, budget: DecodeBudget): string[] {
  const stored = record(value, 'vocabulary');
  const size = integerIn(stored.size, RESERVED_WORDS.length, budget.nodes, 'vocabulary size');
  budget.nodes -= size;
  const lengths = varintStream(
    loadStream(stored.lengths, size * MAX_VARINT_BYTES, budget, 'vocabulary lengths'),
    'vocabulary lengths',
  );
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
