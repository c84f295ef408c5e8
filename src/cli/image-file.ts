// Where `ultra` keeps a model's image (src/lm/image/): beside the model file, `brown.ulm` →
// `brown.uli` (any other name gets `.uli` appended). The image names the sha256 of the model file
// it was built from, so an image left over from another training of the same path is ignored.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { keptSection, readFullySync } from '../store/kept-section.js';
import {
  EMBEDDINGS_LATER_BYTES,
  imageEmbeddingsPlace,
  imageVocabularyPlace,
  imageVocabularyText,
  type SectionReader,
} from '../lm/index.js';

export function imagePathFor(modelPath: string): string {
  return modelPath.endsWith('.ulm') ? `${modelPath.slice(0, -'.ulm'.length)}.uli` : `${modelPath}.uli`;
}

/** What an image of these model-file bytes names as its source (as the bot's manager does). */
export function modelSource(modelBytes: Uint8Array): string {
  return createHash('sha256').update(modelBytes).digest('hex');
}

/**
 * Chunk the model file is hashed by: a load then never holds the model file and its image at once. 64 KB, as the
 * manager's read stream: a chunk of 1 MB stayed resident until a GC freed it, through the first text (~1 MB of
 * the peak RSS of `ultra generate`), where 64 KB comes from memory the allocator already holds.
 */
const HASH_CHUNK = 64 * 1024;

/** modelSource of the file at `path`, read a chunk at a time (throws what opening or reading it throws). */
export function modelSourceOfFile(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(HASH_CHUNK);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** An image's frame: what readImageFile reads first. */
const IMAGE_FRAME_BYTES = 24;

/** An image file's bytes, with its vocabulary's text decoded apart and its embeddings left for first use (see readImageFile). */
export interface ImageFile {
  image: Uint8Array;
  /** The vocabulary's text, for decodeImage; undefined when the image was read whole. */
  vocabularyText?: string;
  /**
   * The embeddings left unread in `image`, read from the file, still open, on first use (decodeImage's
   * embeddingsLater); undefined when there were none to leave (or under EMBEDDINGS_LATER_BYTES). `close` lets the
   * file go when the image is not used; the read does it too.
   */
  embeddingsLater?: SectionReader & { close(): void };
}

/**
 * The image file at `path` (throws what opening or reading it throws), read into new memory but for its vocabulary
 * text and its embeddings. The model keeps the text as one string (decodeImage's `vocabularyText`) and never reads the
 * section again, so its pages in the buffer are left unwritten and never become resident (0.4 MB of Brown's order-5
 * image). The section's bytes are read and decoded first in the buffer's room just after it, which the read of the
 * rest then overwrites: no other memory holds them. The embeddings (at least `embeddingsLaterFrom` bytes) are read
 * into their place on first use, from the file kept open (so a file replaced or deleted meanwhile still reads as
 * it was), and checked then: a default generation never reads them (0.7 MB of Brown's image). An image whose frame,
 * header or vocabulary does not check out, or is too small for that room, is read whole, for decodeImage to refuse
 * or read as it is.
 */
export function readImageFile(path: string, embeddingsLaterFrom = EMBEDDINGS_LATER_BYTES): ImageFile {
  const fd = openSync(path, 'r');
  let kept = false;
  try {
    const size = fstatSync(fd).size;
    // New memory (zero pages): a page becomes resident when a read writes it.
    const image = new Uint8Array(size);
    const read = (from: number, to: number) => readFullySync(fd, image.subarray(from, to), from, path);
    const frame = Math.min(size, IMAGE_FRAME_BYTES);
    read(0, frame);
    // The header's size is the frame's u32 at 12 (src/lm/image/layout.ts); imageVocabularyPlace checks the rest.
    const headEnd =
      frame === IMAGE_FRAME_BYTES
        ? Math.min(size, IMAGE_FRAME_BYTES + new DataView(image.buffer, 0, frame).getUint32(12, true))
        : frame;
    read(frame, headEnd);
    const head = image.subarray(0, headEnd);
    const place = imageVocabularyPlace(head, size);
    let vocabularyText: string | undefined;
    if (place !== null && place.offset >= headEnd && place.offset + 2 * place.bytes <= size) {
      const after = place.offset + place.bytes;
      const room = image.subarray(after, after + place.bytes);
      readFullySync(fd, room, place.offset, path);
      try {
        vocabularyText = imageVocabularyText(place, room);
      } catch {
        // Damaged: read whole below, and decodeImage refuses it.
      }
    }
    if (vocabularyText === undefined || place === null) {
      read(headEnd, size);
      return { image };
    }
    // Sections lie in order and apart (readImage checks it), so the embeddings come after the text.
    const embeddings = imageEmbeddingsPlace(head, size, embeddingsLaterFrom);
    const holes =
      embeddings !== null && embeddings.offset >= place.offset + place.bytes ? [place, embeddings] : [place];
    let at = headEnd;
    for (const hole of holes) {
      read(at, hole.offset);
      at = hole.offset + hole.bytes;
    }
    read(at, size);
    if (holes.length === 1) return { image, vocabularyText };
    kept = true;
    return { image, vocabularyText, embeddingsLater: keptSection(fd, () => closeSync(fd), path) };
  } finally {
    if (!kept) closeSync(fd);
  }
}
