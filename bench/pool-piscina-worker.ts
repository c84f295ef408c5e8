// The piscina side of bench/pool.ts: the same parse-and-train a training worker does, as a
// piscina task function; progress goes back through the MessagePort the task carries.
import type { MessagePort } from 'node:worker_threads';
import { parseSources } from '../src/ingest/index.js';
import { train } from '../src/lm/index.js';

export default function trainTask({ bytes, port }: { bytes: Uint8Array; port: MessagePort }): number {
  const { lines } = parseSources([{ name: 'bench.txt', format: 'txt', bytes }]);
  const model = train(lines, {}, { onProgress: ({ phase, fraction }) => port.postMessage({ phase, fraction }) });
  return model.stats.patterns;
}
