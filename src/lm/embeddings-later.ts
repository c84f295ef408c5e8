// A model image's embeddings read on first use (src/lm/image/decode.ts, embeddingsLater): only an unknown prompt
// word, steering and `similar` read them, so a model that only generates never makes their pages resident.
import type { EmbeddingTable } from './types.js';

export class EmbeddingsOnFirstUse {
  private table: EmbeddingTable | null = null;
  /** What the first use threw (a damaged or unreadable section): every later use throws it again. */
  private failure: Error | null = null;

  constructor(
    readonly dim: number,
    readonly count: number,
    private readonly load: () => EmbeddingTable,
  ) {}

  /** The table once read, else null (nothing is read). */
  get loaded(): EmbeddingTable | null {
    return this.table;
  }

  /** The table, read now on first use; throws what reading it threw. */
  get(): EmbeddingTable {
    if (this.table !== null) return this.table;
    if (this.failure !== null) throw this.failure;
    try {
      this.table = this.load();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw this.failure;
    }
    return this.table;
  }
}
