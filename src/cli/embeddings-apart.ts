// `ultra train`'s embeddings on the second core. Training's embeddings (the SVD of the words'
// co-occurrences, ~0.4 s of Brown's ~2 s) need only the corpus and the unigram counts, so a worker
// thread computes them while the main thread builds the model, its query graph and the count
// trie's part of the file (trainWithEmbeddingsApart): the same table, the same bytes, on a machine
// with a core to spare. The worker is the compiled build's (dist/cli/embeddings-worker.js); run
// through tsx (no build, or a stale one), or when the worker fails, they are computed here as
// train computes them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { embeddingsOf, type EmbeddingJob, type EmbeddingTable } from '../lm/index.js';

/** The compiled worker beside this module, or null when this module is not compiled (tsx). */
export function compiledWorkerEntry(): URL | null {
  if (!import.meta.url.endsWith('.js')) return null;
  const entry = new URL('./embeddings-worker.js', import.meta.url);
  return existsSync(fileURLToPath(entry)) ? entry : null;
}

export class EmbeddingsApart {
  private readonly worker: Worker | null;
  private readonly result: Promise<EmbeddingTable | null>;
  private job: EmbeddingJob | null = null;
  /** Where table() found the embeddings (null before, or without a job). */
  computedBy: 'worker' | 'this thread' | null = null;

  /** Starts the worker at once (it loads while the text is read); null: no worker, compute here. */
  constructor(entry: URL | null) {
    let worker: Worker | null = null;
    try {
      worker = entry === null ? null : new Worker(entry);
    } catch {
      worker = null;
    }
    this.worker = worker;
    this.result =
      worker === null
        ? Promise.resolve(null)
        : new Promise((resolve) => {
            worker.once('message', (table: EmbeddingTable) => resolve(table));
            // Anything else (a failed start, a throw, an exit without an answer): computed here.
            worker.once('error', () => resolve(null));
            worker.once('exit', () => resolve(null));
          });
  }

  /** trainWithEmbeddingsApart's `start`: the job goes to the worker (a copy; this thread keeps it). */
  start = (job: EmbeddingJob): void => {
    this.job = job;
    this.worker?.postMessage(job);
  };

  /** The embeddings of the started job (null if none was started); the worker is stopped. */
  async table(): Promise<EmbeddingTable | null> {
    if (this.job === null) {
      await this.close();
      return null;
    }
    const table = this.worker !== null ? await this.result : null;
    await this.close();
    this.computedBy = table !== null ? 'worker' : 'this thread';
    return table ?? embeddingsOf(this.job);
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
