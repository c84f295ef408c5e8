// Loading models into memory: the cache of decoded models, their images, the spare buffers of
// evicted models and the loader worker that decodes large files off the main thread.
import { UserError } from '../errors.js';
import { decode, ModelFormatError, type Model } from '../lm/index.js';
import { sha256, type ModelRow } from '../store/index.js';
import { ModelImageFiles } from '../store/images.js';
import type { ManagerState } from './manager-state.js';
import { ModelCache } from './model-cache.js';
import { ModelImages } from './model-images.js';
import { SpareBuffers } from './spare-buffers.js';
import { WorkerPool } from './worker-pool.js';
import { TrainingWorkerError } from './training-protocol.js';
import type { FileLabel, ModelFileRef } from './working-model.js';

/**
 * Model files at least this large are decoded by the loader worker. A 58 KB file (a model of
 * 1,000 Brown lines) still takes ~20 ms to rebuild, and fifty servers loading at once chained
 * those on the main thread past Discord's 3-second deadline in `npm run bench:bot`; below this
 * size a decode costs about what the transfer does.
 */
const OFF_THREAD_DECODE_BYTES = 16 * 1024;
const SPARE_CHECK_MS = 60_000;

export interface CacheStats {
  models: number;
  bytes: number;
  budgetBytes: number;
  evictions: number;
  spareBytes: number;
  spareReuses: number;
}

export class ModelLoading {
  readonly cache: ModelCache<Model>;
  /** Decodes large model files off the main thread; its own worker, so loads never queue behind training. */
  private readonly loader = new WorkerPool(1);
  private readonly loading = new Map<string, Promise<Model>>();
  /** Saved models load from their images (model-images.ts). */
  private readonly images: ModelImages;
  /** Array buffers of evicted models, for the next loads (spare-buffers.ts). */
  private readonly spares = new SpareBuffers();
  private spareReuses = 0;
  private readonly spareTimer: ReturnType<typeof setInterval>;

  constructor(private readonly state: ManagerState) {
    this.images = new ModelImages(new ModelImageFiles(state.files), this.loader, OFF_THREAD_DECODE_BYTES);
    this.cache = new ModelCache<Model>(state.config.cacheBytes, (key, model) => this.retire(key, model));
    // Checks once a minute whether the spares have sat unused long enough to give back; the timer
    // never keeps the process alive.
    this.spareTimer = setInterval(() => this.spares.expire(), SPARE_CHECK_MS);
    this.spareTimer.unref();
  }

  /** Whether the model of this file is in memory. */
  has(guildId: string, filename: string): boolean {
    return this.cache.has(ModelCache.key(guildId, filename));
  }

  /** A training's result: its image is kept for the next loads of its draft. */
  keepImage(guildId: string, checksum: string, image: Uint8Array): Promise<void> {
    return this.images.keep(guildId, checksum, image);
  }

  /** Reads a model file and checks it against its recorded checksum. */
  async readVerified(
    guildId: string,
    file: { filename: string; checksum: string },
    label: FileLabel,
  ): Promise<Uint8Array> {
    const bytes = await this.state.files.read(guildId, file.filename);
    if (bytes === null) throw new UserError('MODEL_FILE_MISSING', label);
    if (sha256(bytes) !== file.checksum) throw new UserError('MODEL_CORRUPT', { ...label, detail: 'checksum' });
    return bytes;
  }

  /** Checks a model file against its recorded checksum, streamed through sha256 (readVerified's errors). */
  async verify(guildId: string, file: { filename: string; checksum: string }, label: FileLabel): Promise<void> {
    const check = await this.state.files.check(guildId, file.filename, file.checksum, true);
    if (check.kind === 'missing') throw new UserError('MODEL_FILE_MISSING', label);
    if (check.kind === 'checksum') throw new UserError('MODEL_CORRUPT', { ...label, detail: 'checksum' });
  }

  /** The cached model, or the file read, verified and decoded (then cached). */
  async modelFor(guildId: string, file: ModelFileRef, label: FileLabel): Promise<Model> {
    const key = ModelCache.key(guildId, file.filename);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let loading = this.loading.get(key);
    if (loading === undefined) {
      loading = this.loadModel(guildId, file, label, key);
      this.loading.set(key, loading);
      void loading.then(
        () => this.loading.delete(key),
        () => this.loading.delete(key),
      );
    }
    return loading;
  }

  /**
   * Reads and verifies a model file, loads the model from its image (model-images.ts: rebuilt,
   * by the loader worker for a large file, when missing or unusable), then caches it.
   */
  private async loadModel(guildId: string, file: ModelFileRef, label: FileLabel, key: string): Promise<Model> {
    let model: Model;
    try {
      // Cached models only generate and score, from the model image: they keep no raw counts
      // (saving copies the file, appending decodes it anew in the training worker).
      model = await this.images.load(guildId, file.checksum, {
        read: () => this.readVerified(guildId, file, label),
        verify: () => this.verify(guildId, file, label),
        // The image goes into the memory of a model the cache evicts for it, when one fits.
        bufferFor: (size) => {
          this.cache.makeRoom(size);
          const spare = this.spares.take(size);
          if (spare !== null) this.spareReuses++;
          return spare;
        },
      });
    } catch (error) {
      if (error instanceof ModelFormatError) {
        // Only a newer format is "incompatible" (updating the bot fixes it); a file that is not a
        // model at all, though its checksum matches, is as unusable as a damaged one.
        throw new UserError(error.kind === 'newer-version' ? 'MODEL_INCOMPATIBLE' : 'MODEL_CORRUPT', {
          ...label,
          detail: error.kind,
        });
      }
      throw error;
    }
    this.cache.set(key, model, model.residentBytes());
    this.spares.trim(this.cache.budgetBytes - this.cache.bytes);
    return model;
  }

  /**
   * An evicted model's array buffers become spares, unless its guild has an operation running or
   * queued: every use of a model happens inside its guild's exclusive section, so a guild without
   * one holds no reference that could still read the arrays a later load will overwrite.
   */
  private retire(key: string, model: Model): void {
    const guildId = key.slice(0, key.indexOf('/'));
    if (this.state.guildSections.has(guildId)) return;
    // Its embeddings, if unread, can no longer be read into buffers another model will hold.
    this.images.release(model);
    this.spares.add(model.arrayBuffers(), this.cache.budgetBytes - this.cache.bytes);
  }

  /**
   * A cached model whose image turned out damaged after its load (its embeddings are read on first use, and checked
   * then): dropped from the cache with its image, so the next modelFor rebuilds the image from the model file.
   */
  async forgetDamagedImage(guildId: string, file: ModelFileRef): Promise<void> {
    const key = ModelCache.key(guildId, file.filename);
    const model = this.cache.get(key);
    this.cache.delete(key);
    if (model !== undefined) this.images.release(model);
    await this.images.discard(guildId, file.checksum);
  }

  /** A saved model for one use: from the cache when there, else decoded without caching it. */
  async peekModel(guildId: string, row: ModelRow): Promise<Model> {
    const cached = this.cache.get(ModelCache.key(guildId, row.filename));
    if (cached) return cached;
    const label = { name: row.name, version: row.version };
    const bytes = await this.readVerified(guildId, row, label);
    try {
      return bytes.length >= OFF_THREAD_DECODE_BYTES
        ? await this.loader.load(new Uint8Array(bytes), { counts: false })
        : decode(bytes, { counts: false });
    } catch (error) {
      if (error instanceof ModelFormatError) {
        throw new UserError(error.kind === 'newer-version' ? 'MODEL_INCOMPATIBLE' : 'MODEL_CORRUPT', {
          ...label,
          detail: error.kind,
        });
      }
      if (error instanceof TrainingWorkerError) return decode(bytes, { counts: false });
      throw error;
    }
  }

  async discardDraftFile(guildId: string, filename: string): Promise<void> {
    this.cache.delete(ModelCache.key(guildId, filename));
    await this.state.files.remove(guildId, filename);
    await this.sweepImages(guildId);
  }

  /** The guild's model images, minus those of model files it no longer has (model-images.ts). */
  async sweepImages(guildId: string): Promise<void> {
    const keep = new Set(this.state.catalog.listModels(guildId).map((row) => row.checksum));
    const draft = this.state.catalog.guildState(guildId)?.draft;
    if (draft) keep.add(draft.checksum);
    await this.images.sweep(guildId, keep);
  }

  /** See ModelManager.cacheStats. */
  stats(): CacheStats {
    return {
      models: this.cache.size,
      bytes: this.cache.bytes,
      budgetBytes: this.cache.budgetBytes,
      evictions: this.cache.evictions,
      spareBytes: this.spares.bytes,
      spareReuses: this.spareReuses,
    };
  }

  /** Waits for the loads under way. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.loading.values()]);
  }

  /** Gives the spare buffers back and stops the loader worker. */
  async close(): Promise<void> {
    clearInterval(this.spareTimer);
    this.spares.trim(0);
    await this.loader.close();
  }
}
