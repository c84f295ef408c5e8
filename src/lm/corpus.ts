// Reading training text: lines → sentences → tokens → provisional word ids, laid out as one
// Int32Array with <s> before and </s> after every sentence (the layout counting walks).

import { hashString } from './random.js';
import { splitSentences, tokenize } from './tokenizer.js';
import { BOS, BOS_ID, EOS, EOS_ID, UNK, type CorpusSummary } from './types.js';
import type { VocabularyBuilder } from './vocab.js';

export interface TokenizedCorpus {
  /** Provisional word ids, each sentence as BOS w1 … wn EOS. */
  tokens: Int32Array;
  sentences: number;
  summary: CorpusSummary;
  /** Lines kept aside by the validation split, untouched. */
  heldOut: string[];
}

export interface CorpusReadOptions {
  splitSentences: boolean;
  /** Share of lines held out (0 = none). */
  validation: number;
  seed: number;
  onLine?: (linesRead: number) => void;
}

/** Tokens of one line as sentences (one sentence per line unless splitting is on). */
export function lineSentences(line: string, split: boolean): string[][] {
  if (!split) {
    const tokens = tokenize(line);
    return tokens.length > 0 ? [tokens] : [];
  }
  const sentences: string[][] = [];
  for (const sentence of splitSentences(line)) {
    const tokens = tokenize(sentence);
    if (tokens.length > 0) sentences.push(tokens);
  }
  return sentences;
}

/** Code points, not UTF-16 units, so an emoji is one character in the statistics. */
export function countCharacters(text: string): number {
  let surrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) surrogates++;
  }
  return text.length - surrogates;
}

/** True when the validation split keeps this line out of training. */
function isHeldOut(line: string, validation: number, seed: number): boolean {
  return validation > 0 && hashString(line, seed) / 4294967296 < validation;
}

export function readCorpus(
  lines: Iterable<string>,
  vocabulary: VocabularyBuilder,
  options: CorpusReadOptions,
): TokenizedCorpus {
  let tokens = new Int32Array(1 << 16);
  let length = 0;
  const summary: CorpusSummary = { lines: 0, sentences: 0, tokens: 0, characters: 0 };
  const heldOut: string[] = [];
  let linesRead = 0;
  for (const line of lines) {
    linesRead++;
    if (options.onLine !== undefined && (linesRead & 4095) === 0) options.onLine(linesRead);
    if (isHeldOut(line, options.validation, options.seed)) {
      heldOut.push(line);
      continue;
    }
    const sentences = lineSentences(line, options.splitSentences);
    if (sentences.length === 0) continue;
    summary.lines++;
    summary.characters += countCharacters(line);
    for (const words of sentences) {
      if (length + words.length + 2 > tokens.length) {
        const grown = new Int32Array(Math.max(tokens.length * 2, length + words.length + 2));
        grown.set(tokens.subarray(0, length));
        tokens = grown;
      }
      tokens[length++] = BOS_ID;
      let kept = 0;
      for (const word of words) {
        // The markers are structure, not text; a literal "<s>" in the input would corrupt counts.
        if (word === BOS || word === EOS || word === UNK) continue;
        tokens[length++] = vocabulary.idOf(word);
        kept++;
      }
      tokens[length++] = EOS_ID;
      summary.sentences++;
      summary.tokens += kept;
    }
  }
  return { tokens: tokens.slice(0, length), sentences: summary.sentences, summary, heldOut };
}
