// Embedding training time on the Brown training split, and a few nearest neighbours.
// Run with `npx tsx bench/embeddings-quick.ts [dim] [window]`. The first (cold) run includes
// JIT warm-up, as a one-off training in the bot does; CPU time is shown beside wall time because
// the machine is shared.
import { performance } from 'node:perf_hooks';
import { loadBrown } from './brown.js';
import { embeddingIndex } from '../src/lm/embeddings.js';
import { trainEmbeddings } from '../src/lm/embeddings-train.js';
import { tokenize } from '../src/lm/tokenizer.js';
import { BOS, EOS, UNK, type EmbeddingTable } from '../src/lm/types.js';

const dim = Number(process.argv[2] ?? 32);
const window = Number(process.argv[3] ?? 2);

// Frequency-ranked vocabulary as the trainer builds it: reserved ids 0–2, then words by count.
const { train } = loadBrown();
const sentences = train.map(tokenize);
const frequency = new Map<string, number>();
for (const sentence of sentences) for (const token of sentence) frequency.set(token, (frequency.get(token) ?? 0) + 1);
const words = [...frequency.keys()].sort(
  (a, b) => frequency.get(b)! - frequency.get(a)! || (a < b ? -1 : a > b ? 1 : 0),
);
const vocab = [UNK, BOS, EOS, ...words];
const idOf = new Map(vocab.map((word, id) => [word, id]));
const counts = new Uint32Array(vocab.length);
words.forEach((word, i) => {
  counts[i + 3] = frequency.get(word)!;
});
const tokenCount = sentences.reduce((sum, sentence) => sum + sentence.length, 0);
const ids = new Int32Array(tokenCount);
const sentenceStarts = new Int32Array(sentences.length);
let at = 0;
sentences.forEach((sentence, s) => {
  sentenceStarts[s] = at;
  for (const token of sentence) ids[at++] = idOf.get(token)!;
});

function timed<T>(run: () => T): { result: T; wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = run();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { result, wall, cpu: (cpu.user + cpu.system) / 1000 };
}

const runs: { wall: number; cpu: number }[] = [];
let table: EmbeddingTable | null = null;
for (let run = 0; run < 4; run++) {
  const { result, wall, cpu } = timed(() => trainEmbeddings({ ids, sentenceStarts }, counts, { dim, window, seed: 1 }));
  table = result;
  runs.push({ wall, cpu });
}
const format = ({ wall, cpu }: { wall: number; cpu: number }) => `${wall.toFixed(0)} ms (cpu ${cpu.toFixed(0)})`;
console.log(
  `Brown train: ${tokenCount} tokens, ${sentences.length} sentences, ${vocab.length} types; vectors for ${table!.count} ids, dim ${dim}, window ${window}`,
);
console.log(`trainEmbeddings cold: ${format(runs[0])}; warm: ${runs.slice(1).map(format).join(', ')}`);
console.log(
  `table ${table!.values.byteLength + table!.scales.byteLength} bytes; process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);

const built = timed(() => embeddingIndex(table!, vocab));
const index = built.result;
const firstSubword = timed(() => index.vectorOf('runnings'));
const nearestTime = timed(() => {
  for (let i = 0; i < 100; i++) index.nearest(index.rowVector(10 + i)!, 10);
});
console.log(
  `embeddingIndex ${format(built)}; first subword lookup (builds the n-gram index) ${format(firstSubword)}; nearest(k=10) ${(nearestTime.wall / 100).toFixed(2)} ms each`,
);
for (const word of [
  'man',
  'Monday',
  'went',
  'blue',
  'said',
  'money',
  'three',
  'church',
  'runnings',
  'Mondays',
  'schoolz',
  'Bluest',
]) {
  const known = idOf.has(word) ? '' : ' (unseen: case/subword fallback)';
  const list = index.similar(word, 6).map(({ word: other, score }) => `${other} ${score.toFixed(2)}`);
  console.log(`${word}${known}: ${list.join(', ')}`);
}
