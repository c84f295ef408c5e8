// `ultra train`'s second core. A worker thread takes two stages off the main thread:
//   - the embeddings (the SVD of the words' co-occurrences, ~0.5 s of Brown's training), which
//     need only the corpus and the unigram counts, so they start before counting
//     (trainWithEmbeddingsApart) and run while the main thread counts and builds the model;
//   - then the image's query graph (quantized probabilities and backoffs, packed links: ~0.25 s)
//     but its run shares, from the model's arrays, which the trainer allocates in shared memory
//     (sharedArrays) so the worker reads them without a copy, while the main thread encodes the
//     count trie's part of the model file and then the run shares (~0.1 s).
// Same tables, same bytes as training in one thread. The worker is the compiled build's
// (dist/cli/training-apart-worker.js); run through tsx (no build, or a stale one), or when the
// worker fails, each stage is computed here as train and encodeImage compute it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  embeddingsOf,
  queryImagePart,
  runSharesOf,
  withShares,
  type EmbeddingJob,
  type EmbeddingTable,
  type Model,
  type QueryImagePart,
  type QuerySource,
  type SharelessImagePart,
} from '../lm/index.js';

/** What the main thread asks of the worker, in this order. */
export type ApartTask = { kind: 'embeddings'; job: EmbeddingJob } | { kind: 'query-image'; source: QuerySource };
/** The worker's answer to each task. */
export type ApartReply =
  | { kind: 'embeddings'; table: EmbeddingTable }
  | { kind: 'query-image'; part: SharelessImagePart };

/** The compiled worker beside this module, or null when this module is not compiled (tsx). */
export function compiledWorkerEntry(): URL | null {
  if (!import.meta.url.endsWith('.js')) return null;
  const entry = new URL('./training-apart-worker.js', import.meta.url);
  return existsSync(fileURLToPath(entry)) ? entry : null;
}

/** A reply that may never come: null when the worker is gone (failed to start, threw, exited). */
class Pending<T> {
  readonly answer: Promise<T | null>;
  settle: (value: T | null) => void = () => {};
  constructor() {
    this.answer = new Promise((resolve) => {
      this.settle = resolve;
    });
  }
}

export class TrainingApart {
  private readonly worker: Worker | null;
  private readonly embeddings = new Pending<EmbeddingTable>();
  private readonly queryImage = new Pending<SharelessImagePart>();
  private job: EmbeddingJob | null = null;
  private model: Model | null = null;
  /** Where table() found the embeddings (null before, or without a job). */
  computedBy: 'worker' | 'this thread' | null = null;
  /** Where queryImagePart() found the part (null before, or without a model). */
  queryImageBy: 'worker' | 'this thread' | null = null;

  /** Starts the worker at once (it loads while the text is read); null: no worker, compute here. */
  constructor(entry: URL | null) {
    let worker: Worker | null = null;
    try {
      worker = entry === null ? null : new Worker(entry);
    } catch {
      worker = null;
    }
    this.worker = worker;
    if (worker === null) {
      this.fail();
      return;
    }
    worker.on('message', (reply: ApartReply) => {
      if (reply.kind === 'embeddings') this.embeddings.settle(reply.table);
      else this.queryImage.settle(reply.part);
    });
    // Anything else (a failed start, a throw, an exit without an answer): computed here.
    worker.once('error', () => this.fail());
    worker.once('exit', () => this.fail());
  }

  private fail(): void {
    this.embeddings.settle(null);
    this.queryImage.settle(null);
  }

  /** trainWithEmbeddingsApart's `start`: the job goes to the worker (a copy; this thread keeps it). */
  start = (job: EmbeddingJob): void => {
    this.job = job;
    this.worker?.postMessage({ kind: 'embeddings', job } satisfies ApartTask);
  };

  /**
   * The worker computes the image's query part of `model` (after its embeddings). Its arrays are
   * posted as they are: shared when the trainer allocated them with sharedArrays, else copied.
   */
  startQueryImage(model: Model): void {
    this.model = model;
    this.worker?.postMessage({ kind: 'query-image', source: model.querySource() } satisfies ApartTask);
  }

  /** The embeddings of the started job (null if none was started). */
  async table(): Promise<EmbeddingTable | null> {
    if (this.job === null) return null;
    const table = this.worker !== null ? await this.embeddings.answer : null;
    this.computedBy = table !== null ? 'worker' : 'this thread';
    return table ?? embeddingsOf(this.job);
  }

  /**
   * The query part of the model given to startQueryImage, for encodeImage (undefined: none
   * given). The worker computes all of it but the run shares, computed here meanwhile.
   */
  async queryImagePart(): Promise<QueryImagePart | undefined> {
    if (this.model === null) return undefined;
    if (this.worker === null) return this.computedHere(this.model);
    const { graph, estimate } = this.model.querySource();
    const shares = runSharesOf(graph, estimate.cumulative);
    const part = await this.queryImage.answer;
    if (part === null) return this.computedHere(this.model);
    this.queryImageBy = 'worker';
    return withShares(part, shares);
  }

  private computedHere(model: Model): QueryImagePart {
    this.queryImageBy = 'this thread';
    return queryImagePart(model.query);
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
