// The worker thread of training-apart.ts: an embedding job in, its table out; then the model's
// query source in, the image's query part out (but the run shares, which the main thread adds). It imports the stages' own modules, not
// src/lm/index.ts, so it starts without loading the rest of the model.
import { parentPort } from 'node:worker_threads';
import { embeddingsOf } from '../lm/embeddings-train.js';
import { queryImageTransfer, sharelessImagePart } from '../lm/image/encode.js';
import { queryArraysBesideShares } from '../lm/image/query-arrays.js';
import type { ApartReply, ApartTask } from './training-apart.js';

const port = parentPort;
if (port === null) throw new Error('training-apart-worker runs as a worker thread');
port.on('message', (task: ApartTask) => {
  if (task.kind === 'embeddings') {
    const table = embeddingsOf(task.job);
    const reply: ApartReply = { kind: 'embeddings', table };
    port.postMessage(reply, [table.values.buffer as ArrayBuffer, table.scales.buffer as ArrayBuffer]);
  } else {
    const part = sharelessImagePart(queryArraysBesideShares(task.source.graph, task.source.estimate));
    const reply: ApartReply = { kind: 'query-image', part };
    port.postMessage(reply, queryImageTransfer(part));
  }
});
