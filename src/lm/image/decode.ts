// Image bytes → Model: checks, then views. Nothing per n-gram is decoded, rebuilt or
// interpolated: each array of the model's query graph is a typed-array view of the image's own
// buffer (the packed ones read through PackedInts), once its section's CRC-32 matched.
// Only the vocabulary's text becomes a JavaScript string: one, its words sliced from it when read
// (words.ts).
//
// Trust: an image is never taken from a user (an import brings a model file, whose image is then
// derived here), so the CRCs catch damage and the checks below catch an image that is not ours
// or not of this model file; every refusal is a ModelFormatError, and the caller rebuilds.

import type { Discount } from '../discount.js';
import { Model, type ModelProvenance } from '../model.js';
import { BOS, BOS_ID, EOS, EOS_ID, ModelFormatError, UNK, UNK_ID, type EmbeddingTable } from '../types.js';
import { EmbeddingsOnFirstUse } from '../embeddings-later.js';
import { crc32 } from '../codec/checksum.js';
import { readImage, sectionPlace, sectionView, type ReadImage, type SectionEntry } from './layout.js';
import { bitsFor, PackedInts, wordsFor } from '../packed-ints.js';
import { CODEBOOK_SIZE, linkedEndOf, QueryGraph } from '../query-graph.js';
import { RankBits, rankCountsFor, rankWordsFor } from '../rank-bits.js';
import { checkpointsFor, RunShares } from '../run-shares.js';
import { UnaryStarts } from '../unary-starts.js';
import { TextWords } from '../words.js';

const MAX_ORDER = 8;
const MAX_NODES = 2 ** 31 - 1;

export interface DecodeImageOptions {
  /** The source the image must name (what encodeImage was given); any other is refused. */
  source?: string;
  /**
   * The vocabulary's text, decoded by imageVocabularyText from the image's vocabText bytes read apart; the buffer's
   * own bytes there are then never read. The model keeps that text as one string and never reads the section
   * again, so a reader that leaves those pages of the buffer unwritten holds the vocabulary once instead of twice
   * (0.4 MB for Brown; src/cli/image-file.ts, readImageFile).
   */
  vocabularyText?: string;
  /**
   * The image's embeddings (bytes imageEmbeddingsPlace gives), left unread in the buffer: the model reads them into
   * the buffer's own place there on first use (a prompt word it does not know, steering, `similar`), checks their
   * CRCs then, and a default generation never makes those pages resident (0.7 MB of Brown's order-5 image).
   */
  embeddingsLater?: SectionReader;
}

/** Where a reader finds a section it left apart at load (an open file, so a replaced or deleted file still reads). */
export interface SectionReader {
  /** Fills `into` with the image's bytes from `offset` on, or throws; called at most once. */
  read(into: Uint8Array, offset: number): void;
}

/** The embeddings' sections as one range of the image, for a reader to leave unread: see imageEmbeddingsPlace. */
export interface ImagePlace {
  offset: number;
  bytes: number;
}

export interface ImageSummary {
  source: string;
  order: number;
  vocabularySize: number;
  /** Stored n-grams (vocabulary included). */
  patterns: number;
  bytes: number;
}

/** The image's header only (frame and header checked, sections not read): what it is of, cheaply. */
export function imageSummary(bytes: Uint8Array): ImageSummary {
  const image = readImage(bytes);
  const shape = shapeOf(image);
  return {
    source: shape.source,
    order: shape.order,
    vocabularySize: shape.vocabularySize,
    patterns: shape.offsets[shape.order],
    bytes: image.bytes.length,
  };
}

/**
 * Where an image's vocabulary text lies, from its first bytes (frame and header) and its size: the bytes a reader
 * reads apart for imageVocabularyText. Null when the head does not check out (read it all then).
 */
export function imageVocabularyPlace(head: Uint8Array, imageBytes: number): SectionEntry | null {
  return sectionPlace(head, imageBytes, 'vocabText');
}

/**
 * Embeddings smaller than this are best read with the rest of the image (what `ultra` and the manager pass to
 * imageEmbeddingsPlace): a few pages do not pay for an open file per loaded model, and the bot's cache may hold
 * thousands of small ones (a model of 20 KB of chat-like text has 14 KB of embeddings). Brown's order-5 image has 0.7 MB.
 */
export const EMBEDDINGS_LATER_BYTES = 64 * 1024;

/**
 * Where an image's embeddings lie (its embeddingValues and embeddingScales sections, one range), from its first
 * bytes and its size, when that range holds at least `fromBytes`: what a reader leaves unread for
 * DecodeImageOptions.embeddingsLater. Null when the head does not check out or the image has no such sections.
 */
export function imageEmbeddingsPlace(head: Uint8Array, imageBytes: number, fromBytes: number): ImagePlace | null {
  const values = sectionPlace(head, imageBytes, 'embeddingValues');
  const scales = sectionPlace(head, imageBytes, 'embeddingScales');
  if (values === null || scales === null || scales.offset < values.offset) return null;
  const bytes = scales.offset + scales.bytes - values.offset;
  return bytes >= fromBytes ? { offset: values.offset, bytes } : null;
}

/** The vocabulary's text from its section's bytes (`place` from imageVocabularyPlace), checked as a load checks them. */
export function imageVocabularyText(place: SectionEntry, bytes: Uint8Array): string {
  if (bytes.length !== place.bytes)
    throw new ModelFormatError('corrupt', `image section vocabText holds ${place.bytes} bytes, not ${bytes.length}`);
  if (crc32(bytes) !== place.crc) throw new ModelFormatError('checksum', 'image section vocabText is damaged');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ModelFormatError('corrupt', 'image vocabulary is not UTF-8');
  }
}

/** The model an image holds; throws ModelFormatError for an image that is damaged, foreign or of another source. */
export function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): Model {
  const image = readImage(bytes);
  const shape = shapeOf(image);
  if (options.source !== undefined && shape.source !== options.source)
    throw new ModelFormatError('corrupt', 'image of another model file');
  const { order, vocabularySize, offsets } = shape;
  const total = offsets[order];
  const contexts = offsets[order - 1];

  const words = vocabularyOf(image, vocabularySize, shape.vocabLengthBytes, options.vocabularyText);
  const word =
    shape.wordBytes === 2
      ? sectionView(image, 'word', Uint16Array, total)
      : sectionView(image, 'word', Int32Array, total);
  const linkedFrom = offsets[Math.min(2, order)];
  const packed = (name: string, width: number, length: number) =>
    new PackedInts(sectionView(image, name, Uint32Array, wordsFor(length, width)), width, length);
  // Child starts run from the first bigram (offsets[1]) to the end of the last level.
  const childStart = new UnaryStarts(
    sectionView(image, 'childStartBits', Uint32Array, UnaryStarts.wordsFor(contexts + 1, total)),
    sectionView(image, 'childStartSamples', Uint32Array, UnaryStarts.samplesFor(contexts + 1)),
    sectionView(image, 'childStartKept', Uint32Array, shape.keptChildStarts),
    contexts + 1,
  );
  if (!childStart.check() || childStart.get(0) !== offsets[1] || childStart.get(contexts) !== total)
    throw new ModelFormatError('corrupt', 'image child start index is malformed');
  const linkedTo = linkedEndOf(offsets, order, shape.suffixBases.length);
  const suffix = packed('suffix', shape.suffixBits, Math.max(0, linkedTo - linkedFrom));
  // The ends of the child runs (every walk starts and stops there); the CRCs vouch for the rest.
  if (childStart.get(0) !== offsets[1])
    throw new ModelFormatError('corrupt', 'image child runs do not start at the bigrams');
  if (childStart.get(contexts) !== total)
    throw new ModelFormatError('corrupt', 'image child runs do not end at the last n-gram');
  const single = new RankBits(
    sectionView(image, 'shareSingle', Uint32Array, rankWordsFor(contexts)),
    sectionView(image, 'shareSingleRank', Uint32Array, rankCountsFor(contexts)),
    contexts,
  );
  // Every node above the unigrams is coded or the lone child of a single context.
  if (!single.check(total - vocabularySize - shape.codedShares))
    throw new ModelFormatError('corrupt', 'image single-continuation index is malformed');
  const aboveUnigrams = Math.max(0, contexts - vocabularySize);
  const backoffImplied = new RankBits(
    sectionView(image, 'backoffImplied', Uint32Array, rankWordsFor(aboveUnigrams)),
    sectionView(image, 'backoffImpliedRank', Uint32Array, rankCountsFor(aboveUnigrams)),
    aboveUnigrams,
  );
  // Every context above the unigrams has a code or the implied γ of its level.
  if (!backoffImplied.check(aboveUnigrams - shape.codedBackoffs))
    throw new ModelFormatError('corrupt', 'image implied-backoff index is malformed');
  const query = new QueryGraph({
    order,
    vocabularySize,
    offsets: Int32Array.from(offsets),
    word,
    childStart,
    suffix,
    suffixBases: Int32Array.from(shape.suffixBases),
    linkedTo,
    unigramProb: sectionView(image, 'unigramProb', Float32Array, vocabularySize),
    probCode: sectionView(image, 'probCode', Uint8Array, total),
    probTable: sectionView(image, 'probTable', Float32Array, CODEBOOK_SIZE * (order - 1)),
    unigramBackoff: sectionView(image, 'unigramBackoff', Float32Array, Math.min(vocabularySize, contexts)),
    backoffImplied,
    impliedBackoff: sectionView(image, 'impliedBackoff', Float32Array, Math.max(0, order - 2)),
    backoffCode: sectionView(image, 'backoffCode', Uint8Array, shape.codedBackoffs),
    backoffTable: sectionView(image, 'backoffTable', Float32Array, CODEBOOK_SIZE * Math.max(0, order - 2)),
    unigramCumulative: sectionView(image, 'unigramCumulative', Float32Array, vocabularySize),
    shares: new RunShares(
      sectionView(image, 'shareCode', Uint8Array, shape.codedShares),
      sectionView(image, 'shareTable', Float32Array, CODEBOOK_SIZE * (order - 1)),
      sectionView(image, 'shareCheckpoint', Float32Array, checkpointsFor(shape.codedShares)),
      single,
    ),
    rootBackoff: shape.rootBackoff,
    uniform: shape.uniform,
    logErrorBound: shape.logErrorBound,
  });

  let embeddings: EmbeddingTable | EmbeddingsOnFirstUse | null = null;
  if (shape.embeddings !== null) {
    const { dim, count } = shape.embeddings;
    const table = (): EmbeddingTable => ({
      dim,
      count,
      values: sectionView(image, 'embeddingValues', Int8Array, dim * count),
      scales: sectionView(image, 'embeddingScales', Float32Array, count),
    });
    const later = options.embeddingsLater;
    embeddings = later === undefined ? table() : embeddingsOnFirstUse(image, dim, count, later, table);
  }
  return Model.fromQuery(words, query, shape.discounts, embeddings, shape.provenance);
}

/**
 * The embeddings of `image` read on first use into the buffer's place of their sections, from `later`. Their sizes are
 * checked now, as a whole load checks them; their CRCs on first use, which throws ModelFormatError when the bytes
 * read are damaged, cut or cannot be read (and again on every later use).
 */
function embeddingsOnFirstUse(
  image: ReadImage,
  dim: number,
  count: number,
  later: SectionReader,
  table: () => EmbeddingTable,
): EmbeddingsOnFirstUse {
  const values = image.sections.get('embeddingValues');
  const scales = image.sections.get('embeddingScales');
  if (values === undefined) throw new ModelFormatError('corrupt', 'image has no embeddingValues section');
  if (scales === undefined) throw new ModelFormatError('corrupt', 'image has no embeddingScales section');
  if (values.bytes !== dim * count || scales.bytes !== 4 * count || scales.offset < values.offset)
    throw new ModelFormatError('corrupt', 'image embedding sections are not of the embeddings in its header');
  const from = values.offset;
  const to = scales.offset + scales.bytes;
  return new EmbeddingsOnFirstUse(dim, count, () => {
    try {
      later.read(image.bytes.subarray(from, to), from);
    } catch (error) {
      throw new ModelFormatError(
        'truncated',
        `image embeddings cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return table();
  });
}

interface ImageShape {
  source: string;
  order: number;
  vocabularySize: number;
  offsets: number[];
  wordBytes: 2 | 4;
  /** Width of a stored word length (UTF-16 units): 2 unless a word is longer than 65,535. */
  vocabLengthBytes: 2 | 4;
  suffixBits: number;
  suffixBases: number[];
  /** Nodes whose share is coded (those of runs of more than one continuation). */
  codedShares: number;
  keptChildStarts: number;
  /** Contexts above the unigrams whose backoff is coded (the others' is their level's implied one). */
  codedBackoffs: number;
  logErrorBound: number;
  rootBackoff: number;
  uniform: number;
  discounts: Discount[];
  provenance: ModelProvenance;
  embeddings: { dim: number; count: number } | null;
}

function corrupt(message: string): never {
  throw new ModelFormatError('corrupt', `image header: ${message}`);
}

/** The header's fields, each checked for what the views and walks rely on. */
function shapeOf(image: ReadImage): ImageShape {
  const f = image.fields;
  const isCount = (value: unknown): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_NODES;
  const isProbability = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;
  if (typeof f.source !== 'string') corrupt('no source');
  const order = f.order;
  if (!isCount(order) || order < 1 || order > MAX_ORDER) corrupt('bad order');
  const vocabularySize = f.vocabularySize;
  if (!isCount(vocabularySize) || vocabularySize < 4) corrupt('bad vocabulary size');
  const offsets = f.offsets;
  if (!Array.isArray(offsets) || offsets.length !== order + 1 || offsets[0] !== 0 || offsets[1] !== vocabularySize)
    corrupt('bad level offsets');
  for (let k = 0; k < order; k++)
    if (!isCount(offsets[k + 1]) || offsets[k + 1] < offsets[k]) corrupt('bad level offsets');
  if (f.wordBytes !== 4 && !(f.wordBytes === 2 && vocabularySize <= 0x10000)) corrupt('bad word width');
  if (f.vocabLengthBytes !== 2 && f.vocabLengthBytes !== 4) corrupt('bad word length width');
  // The widths the writer picks (the fewest bits that hold the largest value), and no other.
  // Links less their level's base (the smallest link of the level), at the fewest bits that hold
  // them: never wider than a whole context index, and every base a context; one base per level
  // whose links are stored, from the trigrams (those above are searched).
  const contexts = offsets[order - 1];
  if (!isCount(f.suffixBits) || f.suffixBits < 1 || f.suffixBits > bitsFor(contexts)) corrupt('bad suffix width');
  const suffixBases = f.suffixBases;
  if (
    !Array.isArray(suffixBases) ||
    suffixBases.length > Math.max(0, order - 3) ||
    !suffixBases.every((base) => isCount(base) && base < Math.max(1, contexts))
  )
    corrupt('bad suffix bases');
  if (!isCount(f.codedShares) || f.codedShares > offsets[order] - vocabularySize) corrupt('bad coded shares');
  // Child starts kept as values: whole blocks of 32 of the contexts + 1 starts at most.
  if (!isCount(f.keptChildStarts) || f.keptChildStarts > contexts + 1) corrupt('bad kept child starts');
  if (!isCount(f.codedBackoffs) || f.codedBackoffs > Math.max(0, contexts - vocabularySize))
    corrupt('bad coded backoffs');
  if (!isProbability(f.rootBackoff) || !isProbability(f.uniform)) corrupt('bad root backoff');
  const logErrorBound = f.logErrorBound;
  if (typeof logErrorBound !== 'number' || !(logErrorBound >= 0) || !Number.isFinite(logErrorBound))
    corrupt('bad error bound');
  const discounts = f.discounts;
  if (
    !Array.isArray(discounts) ||
    discounts.length !== order ||
    !discounts.every((d) => Array.isArray(d) && d.length === 3 && d.every((x) => typeof x === 'number'))
  )
    corrupt('bad discounts');
  const provenance = f.provenance as ModelProvenance | undefined;
  if (
    typeof provenance !== 'object' ||
    provenance === null ||
    typeof provenance.params !== 'object' ||
    typeof provenance.corpus !== 'object' ||
    typeof provenance.pruned !== 'boolean'
  )
    corrupt('bad provenance');
  let embeddings: ImageShape['embeddings'] = null;
  if (f.embeddings !== null) {
    const e = f.embeddings as { dim?: unknown; count?: unknown } | undefined;
    if (
      e === undefined ||
      !isCount(e.dim) ||
      !isCount(e.count) ||
      e.count > vocabularySize ||
      e.dim * e.count > MAX_NODES
    )
      corrupt('bad embeddings');
    embeddings = { dim: e.dim, count: e.count };
  }
  return {
    source: f.source,
    order,
    vocabularySize,
    offsets: offsets as number[],
    wordBytes: f.wordBytes,
    vocabLengthBytes: f.vocabLengthBytes,
    suffixBits: f.suffixBits,
    suffixBases: suffixBases as number[],
    codedShares: f.codedShares,
    keptChildStarts: f.keptChildStarts,
    codedBackoffs: f.codedBackoffs,
    logErrorBound,
    rootBackoff: f.rootBackoff,
    uniform: f.uniform,
    discounts: discounts as Discount[],
    provenance: {
      ...provenance,
      discounts: provenance.discounts ?? undefined,
      heldOutPerplexity: provenance.heldOutPerplexity ?? null,
    },
    embeddings,
  };
}

function vocabularyOf(
  image: ReadImage,
  vocabularySize: number,
  lengthBytes: 2 | 4,
  decoded: string | undefined,
): TextWords {
  const textEntry = image.sections.get('vocabText');
  if (textEntry === undefined) throw new ModelFormatError('corrupt', 'image has no vocabText section');
  const { bytes } = image;
  const text =
    decoded ?? imageVocabularyText(textEntry, bytes.subarray(textEntry.offset, textEntry.offset + textEntry.bytes));
  const lengths =
    lengthBytes === 2
      ? sectionView(image, 'vocabLengths', Uint16Array, vocabularySize)
      : sectionView(image, 'vocabLengths', Uint32Array, vocabularySize);
  // Throws when the lengths do not add up to the text.
  const words = new TextWords(text, lengths);
  if (
    vocabularySize <= EOS_ID ||
    words.word(UNK_ID) !== UNK ||
    words.word(BOS_ID) !== BOS ||
    words.word(EOS_ID) !== EOS
  )
    throw new ModelFormatError('corrupt', 'image vocabulary lacks the reserved words');
  return words;
}
