// The model image: what generation and scoring read, as one buffer of aligned sections that loads
// as typed-array views (docs/model.md, "The model image"). Derived from the model file, which
// stays the source of truth.
export {
  encodeImage,
  queryImagePart,
  withShares,
  type QueryImagePart,
  type SharelessImagePart,
} from './encode.js';
export { runSharesOf } from './query-arrays.js';
export {
  decodeImage,
  EMBEDDINGS_LATER_BYTES,
  imageEmbeddingsPlace,
  imageSummary,
  imageVocabularyPlace,
  imageVocabularyText,
  type DecodeImageOptions,
  type ImagePlace,
  type SectionReader,
  type ImageSummary,
} from './decode.js';
export { IMAGE_LAYOUT_VERSION } from './layout.js';
