// The public surface of the pattern model: train, append, load/save, and the Model's queries.
// Everything else in src/lm is an implementation stage.

import { decodeIndexedModelFile, encodeModelFile, encodeModelFileApart } from './codec.js';
import { Model } from './model.js';

export { Model, type ScoreOptions, type TransferableModel } from './model.js';
export { train, trainAppend, resolveParams, type TrainingText } from './trainer.js';
// Training with its embeddings computed elsewhere (the CLI's worker thread, src/cli/training-apart.ts).
export { trainWithEmbeddingsApart } from './trainer.js';
export { embeddingsOf, type EmbeddingJob } from './embeddings-train.js';
export { sharedArrays } from './arrays.js';
export type { QuerySource } from './image/query-arrays.js';
export { tokenize, detokenize, splitSentences } from './tokenizer.js';
export { RecentPhrases } from './recent.js';
export * from './types.js';

/** The model as file bytes (`.ulm`); `createdAt` is milliseconds since the epoch. */
export function encode(model: Model, createdAt: number): Uint8Array {
  return encodeModelFile(model.toFile(createdAt), model.graph);
}

/**
 * encode in two steps: the n-grams of `model` now, the rest by the function returned, given
 * `model.withEmbeddings(…)` (trainWithEmbeddingsApart: the embeddings are computed meanwhile).
 * The bytes are encode's of that model.
 */
export function encodeApart(model: Model): (complete: Model, createdAt: number) => Uint8Array {
  const rest = encodeModelFileApart(
    { vocab: model.vocab, counts: { order: model.order, levels: model.graph.levels } },
    model.graph,
  );
  return (complete, createdAt) => rest(complete.toFile(createdAt));
}

export interface DecodeOptions {
  /**
   * Buffers of dropped models (Model.arrayBuffers): each large array of the new model takes the
   * one that fits it best, out of the list, so the load writes memory already mapped.
   */
  spare?: ArrayBuffer[];
  /**
   * false: the model only generates and scores. Its raw counts become its adjusted counts in
   * place, one array of every n-gram (4 bytes each) fewer; saving it or appending to it throws.
   */
  counts?: boolean;
}

/** A model from file bytes; throws ModelFormatError for anything that is not a valid model file. */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  const { file, index } = decodeIndexedModelFile(bytes, options.spare ?? []);
  return Model.fromFile(file, index, options.counts ?? true);
}

// The model image (src/lm/image/): the loaded form of a saved model.
export {
  encodeImage,
  queryImagePart,
  withShares,
  runSharesOf,
  type QueryImagePart,
  type SharelessImagePart,
  decodeImage,
  EMBEDDINGS_LATER_BYTES,
  imageEmbeddingsPlace,
  imageSummary,
  imageVocabularyPlace,
  imageVocabularyText,
  IMAGE_LAYOUT_VERSION,
  type DecodeImageOptions,
  type ImagePlace,
  type SectionReader,
  type ImageSummary,
} from './image/index.js';
