// The worker thread of embeddings-apart.ts: one EmbeddingJob in, its table out. It imports the
// embeddings' own modules, not src/lm/index.ts, so it starts without loading the rest of the model.
import { parentPort } from 'node:worker_threads';
import { embeddingsOf, type EmbeddingJob } from '../lm/embeddings-train.js';

const port = parentPort;
if (port === null) throw new Error('embeddings-worker runs as a worker thread');
port.once('message', (job: EmbeddingJob) => {
  const table = embeddingsOf(job);
  port.postMessage(table, [table.values.buffer as ArrayBuffer, table.scales.buffer as ArrayBuffer]);
});
