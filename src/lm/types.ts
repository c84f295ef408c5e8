// Public types of the pattern model. src/lm is pure computation: no fs, no Discord, no SQL,
// and the clock only through the `now` parameters below.

import type { RecentPhrases } from './recent.js';
import type { ArrayAllocator } from './arrays.js';

/** Training parameters, as stored in the model file and shown to users. */
export interface TrainParams {
  /** Longest n-gram ("pattern") kept, 1–8. */
  maxPatternLength: number;
  /** n-grams of order ≥ 2 seen fewer times than this are pruned (like `lmplz --prune`). 1 keeps all. */
  minFrequency: number;
  /** Cap on stored n-grams of order ≥ 2 (0 = no cap); least useful dropped first. */
  maxPatterns: number;
  /** Share of lines (0–0.5) held out to report perplexity; 0 = none. */
  validation: number;
  /** Split long lines at sentence punctuation into several sentences. */
  splitSentences: boolean;
  /** Embedding dimensions (0 disables embeddings). */
  embeddingDim: number;
}

export const DEFAULT_TRAIN_PARAMS: TrainParams = {
  maxPatternLength: 5,
  minFrequency: 1,
  maxPatterns: 0,
  validation: 0,
  splitSentences: true,
  embeddingDim: 32,
};

export type TrainPhase = 'tokenize' | 'count' | 'adjust' | 'discount' | 'interpolate' | 'embed' | 'evaluate' | 'pack';

export interface TrainProgress {
  phase: TrainPhase;
  /** 0–1 over the whole training. */
  fraction: number;
}

export interface TrainOptions {
  onProgress?: (progress: TrainProgress) => void;
  /** Monotonic milliseconds (e.g. performance.now); used only for timings in statistics. */
  now?: () => number;
  /** Seed of any randomness in training (validation split, SVD). */
  seed?: number;
  /**
   * Where the model's large arrays (the counter's words and counts, the graph's links, the
   * probabilities) are allocated, plain arrays by default: sharedArrays lets another thread read
   * them without a copy.
   */
  arrays?: ArrayAllocator;
}

export interface CorpusSummary {
  lines: number;
  sentences: number;
  tokens: number;
  characters: number;
}

export interface ModelStats {
  order: number;
  vocabularySize: number;
  /** Stored n-grams per order, index 0 = unigrams. */
  patternsByOrder: number[];
  patterns: number;
  embeddings: number;
  embeddingDim: number;
  graphNodes: number;
  graphEdges: number;
  /** Actual bytes of the typed arrays held in memory. */
  memoryBytes: number;
  /**
   * Bytes of the model image written with the model file (src/lm/image/): what the model holds
   * once loaded from it, as the bot's cache loads it. Set by the bot's training worker; absent for
   * models trained before images and in stats computed by src/lm.
   */
  imageBytes?: number;
  params: TrainParams;
  corpus: CorpusSummary;
  trainingMs: number;
  /** Perplexity on the held-out share (including OOV), when params.validation > 0. */
  heldOutPerplexity: number | null;
}

export interface GenerateOptions {
  /**
   * 'natural' (default): whole sentences drawn from observed continuations, no copies of training
   * lines, best of several candidates (sample-natural.ts). 'exact': plain sampling from the model's
   * distribution, for evaluation.
   */
  sampling?: 'natural' | 'exact';
  prompt?: string;
  /**
   * Natural sampling's anti-copy rule: the most tokens in a row covered by n-grams of the model's
   * full order (seen in training) before the walk must leave them; 0 turns the rule off (with the
   * rejection of texts mostly made of one such run). Default 10.
   */
  maxCopyRun?: number;
  /** Maximum generated tokens (not counting the prompt). */
  maxLength?: number;
  /**
   * Generated tokens (after the prompt) before `</s>` may end the text; default 1, so a reply
   * always adds something to its prompt; 0 samples `</s>` right after the prompt as the model
   * would. A text without prompt is never empty either way.
   */
  minLength?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  seed?: number;
  /** 0–1: how strongly sampling is steered toward words related to the prompt (embeddings). */
  steer?: number;
  /**
   * Natural sampling: what this model wrote lately (recent.ts). Its word pairs are drawn less, and the text returned
   * is remembered in it. Without it every call stands alone.
   */
  recent?: RecentPhrases;
  now?: () => number;
}

export interface GenerateResult {
  text: string;
  tokens: number;
  /**
   * Tokens of every walk the call drew (natural sampling draws several and returns the best, so
   * this is what its time is spent on); `tokens` for exact sampling.
   */
  drawnTokens: number;
  /** Context nodes (patterns) consulted, in total and per generated token. */
  activatedPatterns: number;
  activatedPerToken: number;
  ms: number;
  /** Unknown prompt words that the model read as a close known word (the text keeps the typed word). */
  substitutions: { from: string; to: string }[];
  /** 'end': the model ended the text; 'length': it was cut at maxLength. */
  stop: 'end' | 'length';
}

export interface Evaluation {
  sentences: number;
  words: number;
  oov: number;
  /** Total log10 probability, as KenLM's `query` prints it. */
  log10Prob: number;
  perplexity: number;
  perplexityExcludingOov: number;
  bitsPerCharacter: number;
}

export type ModelFormatErrorKind = 'foreign' | 'truncated' | 'corrupt' | 'checksum' | 'newer-version';

/** Thrown by decode() for any file that is not a valid model of a version we read. */
export class ModelFormatError extends Error {
  constructor(
    readonly kind: ModelFormatErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/** Thrown by train() for unusable input or parameters. */
export class TrainingInputError extends Error {
  constructor(
    readonly kind: 'empty' | 'bad-params',
    message: string,
  ) {
    super(message);
    this.name = 'TrainingInputError';
  }
}

// ---------------------------------------------------------------------------------------------
// Stored form, shared by the trainer (which builds it), the model (which is built from it) and
// the codec (which writes and reads it). Probabilities are never stored: they are rebuilt from
// the counts at load, so files are exact and can be extended by append-training.

/** Reserved word ids; real words follow from id 3, ranked by descending frequency. */
export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK = '<unk>';
export const BOS = '<s>';
export const EOS = '</s>';

/**
 * The pattern graph: a trie of n-grams stored level by level (level 0 = unigrams).
 * Within a level, nodes are sorted by (parent, word), so the children of one node are a
 * contiguous run of the next level; `childStart` is derived, never stored.
 */
export interface CountTrieLevel {
  /** Index of the parent node in the previous level (level 0: all zeros / unused). */
  parent: Int32Array;
  /** Word id of the node's last word. */
  word: Int32Array;
  /** Raw occurrence count of the n-gram (exact, never quantized). */
  count: Uint32Array;
  /**
   * Pruned models only, on every level but the highest (absent otherwise): the Kneser-Ney adjusted
   * (continuation) count of each n-gram, computed before pruning. Without it a loaded pruned model
   * would count only the kept left-extensions and rare words would lose their unigram mass.
   */
  adjusted?: Uint32Array;
  /**
   * Pruned models only, on every level but the highest: for each n-gram as a context, the sum of
   * the adjusted counts of its continuations that were pruned. Like `lmplz --prune`, that mass
   * stays in the denominator and goes to the backoff, so every distribution still sums to 1.
   */
  prunedMass?: Uint32Array;
}

export interface CountTrie {
  order: number;
  levels: CountTrieLevel[];
}

/** Word vectors, int8-quantized with one scale per row: vector[i][d] = values[i*dim+d] * scales[i]. */
export interface EmbeddingTable {
  dim: number;
  /** Rows cover word ids 0..count-1 (the most frequent words); reserved ids have zero rows. */
  count: number;
  values: Int8Array;
  scales: Float32Array;
}

export interface ModelFileHeader {
  formatVersion: number;
  /** Milliseconds since the epoch, given by the caller (src/lm never reads the clock). */
  createdAt: number;
  params: TrainParams;
  stats: ModelStats;
  /** True when minFrequency/maxPatterns removed n-grams: append-training is then approximate. */
  pruned: boolean;
  /**
   * Pruned models only: modified Kneser-Ney discounts [D1, D2, D3+] per order (index 0 =
   * unigrams), computed from the counts before pruning (the kept counts no longer determine them).
   */
  discounts?: number[][];
}

/** Everything a model file holds. */
export interface ModelFile {
  header: ModelFileHeader;
  vocab: string[];
  counts: CountTrie;
  embeddings: EmbeddingTable | null;
}
