// Loading saved models through their images (src/lm/image/): one read of the image file and
// typed-array views over it, instead of decoding the model file and rebuilding every
// probability. The model file stays the source of truth: the image is named by its checksum,
// written when the model is trained, and rebuilt from the model file (in the loader worker when
// the file is large) whenever it is missing, damaged, of an older layout or of other bytes.
import type { FileRange, ModelImageFiles, SectionApart } from '../store/images.js';
import {
  decode,
  decodeImage,
  EMBEDDINGS_LATER_BYTES,
  encodeImage,
  imageEmbeddingsPlace,
  imageVocabularyPlace,
  imageVocabularyText,
  ModelFormatError,
  type Model,
} from '../lm/index.js';
import type { WorkerPool } from './worker-pool.js';
import { TrainingWorkerError } from './training-protocol.js';

export interface ModelFileAccess {
  /**
   * The model file's bytes, checked against its checksum (throws the manager's UserErrors). The file
   * is checked on every load, image or not (by `verify` when given, else by this read), so a missing
   * or damaged model file is reported as it always was (a sha256, ~1 ms per megabyte of model file),
   * never hidden by an intact image.
   */
  read(): Promise<Uint8Array>;
  /**
   * Checks the model file against its checksum as `read` does, without keeping its bytes (a streamed sha256): when
   * given, a load whose image is intact never holds the model file beside its image, and `read` is called only to
   * rebuild the image.
   */
  verify?(): Promise<void>;
  /** Memory to read the image into (a spare buffer of an evicted model), or null for new memory. */
  bufferFor?(size: number): ArrayBuffer | null;
}

/**
 * The image's vocabulary text, read apart from its buffer (decodeImage's `vocabularyText`): the model keeps it as one
 * string, so in new memory its pages are never written (0.4 MB of Brown's order-5 image), as `ultra` reads images.
 */
function vocabularyApart(head: Uint8Array, size: number): SectionApart<string> | null {
  const place = imageVocabularyPlace(head, size);
  if (place === null) return null;
  return {
    offset: place.offset,
    bytes: place.bytes,
    decode(bytes) {
      try {
        return imageVocabularyText(place, bytes);
      } catch {
        return null;
      }
    },
  };
}

export class ModelImages {
  /**
   * The open image files of loaded models whose embeddings are still unread (decodeImage's embeddingsLater), let go
   * by `release` (the model evicted, its buffers reused) or when the model is collected.
   */
  private readonly unread = new WeakMap<Model, () => void>();
  private readonly collected = new FinalizationRegistry<() => void>((close) => close());

  /** Loads served by an image file as found. */
  imageLoads = 0;
  /** Images built from the model file (none yet, damaged, old layout). */
  rebuilds = 0;

  /** Where the image's embeddings lie, when large enough to be read on first use (ModelImageFiles.read's laterOf). */
  private readonly embeddingsLater: (head: Uint8Array, size: number) => FileRange | null;

  constructor(
    private readonly store: ModelImageFiles,
    private readonly pool: Pick<WorkerPool, 'buildImage'>,
    /** Model files at least this large are turned into images by the worker. */
    private readonly offThreadBytes: number,
    embeddingsLaterBytes = EMBEDDINGS_LATER_BYTES,
  ) {
    this.embeddingsLater = (head, size) => imageEmbeddingsPlace(head, size, embeddingsLaterBytes);
  }

  /**
   * The model of the file with this checksum, from its image. Throws what `file.read` throws
   * (missing, damaged model file) and ModelFormatError when the model file itself is not valid.
   */
  async load(guildId: string, checksum: string, file: ModelFileAccess): Promise<Model> {
    // The model file is checked on every load; read whole here only when it cannot be checked streamed.
    let bytes: Uint8Array | null = null;
    if (file.verify !== undefined) await file.verify();
    else bytes = await file.read();
    const found = await this.store
      .read(guildId, checksum, file.bufferFor, vocabularyApart, this.embeddingsLater)
      .catch(() => null);
    if (found !== null) {
      try {
        const { apart: vocabularyText, later: embeddingsLater } = found;
        const model = decodeImage(found.bytes, { source: checksum, vocabularyText, embeddingsLater });
        this.imageLoads++;
        if (embeddingsLater !== undefined) {
          this.unread.set(model, embeddingsLater.close);
          this.collected.register(model, embeddingsLater.close);
        }
        return model;
      } catch (error) {
        found.later?.close();
        if (!(error instanceof ModelFormatError)) throw error;
        // Damaged, old or foreign: rebuilt below from the model file.
      }
    }
    bytes ??= await file.read();
    const image = await this.build(bytes, checksum);
    this.rebuilds++;
    await this.keep(guildId, checksum, image);
    return decodeImage(image, { source: checksum });
  }

  /**
   * Lets go of the model's image file if its embeddings are still unread: once its buffers are reused (an evicted
   * model's spares), a first use then throws ModelFormatError instead of reading into them.
   */
  release(model: Model): void {
    this.unread.get(model)?.();
    this.unread.delete(model);
  }

  /** Removes an image found damaged after its load (its embeddings, read on first use): the next load rebuilds it. */
  async discard(guildId: string, checksum: string): Promise<void> {
    await this.store.remove(guildId, checksum).catch(() => undefined);
  }

  /** Writes an image, best effort: it is derived, so a failed write (a full disk) only means a rebuild later. */
  async keep(guildId: string, checksum: string, image: Uint8Array): Promise<void> {
    try {
      await this.store.write(guildId, checksum, image);
    } catch {
      // Nothing lost: the next load rebuilds it.
    }
  }

  /** Removes the guild's images of model files it no longer has, best effort (reconcile does it again at startup). */
  async sweep(guildId: string, keep: ReadonlySet<string>): Promise<void> {
    await this.store.sweep(guildId, keep).catch(() => undefined);
  }

  private async build(bytes: Uint8Array, checksum: string): Promise<Uint8Array> {
    if (bytes.length >= this.offThreadBytes) {
      try {
        // A copy goes to the worker (moved), so the bytes are still here if it fails.
        return await this.pool.buildImage(new Uint8Array(bytes), checksum);
      } catch (error) {
        if (!(error instanceof TrainingWorkerError)) throw error;
      }
    }
    return encodeImage(decode(bytes, { counts: false }), checksum);
  }
}
