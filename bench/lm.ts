// npm run bench:lm — the pattern model on the Brown corpus against the two most used npm
// Markov libraries, in one run. Each configuration runs in its own process (peak RSS is that
// process's own), as plain JavaScript compiled from bench/lm-run.ts with esbuild (what
// `npm run build` and the bot's training worker run: tsx's loader thread would add ~40 MB to
// every figure), on the Brown split written to two text files. Prints a table; not a timed test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrown } from './brown.js';
import { bundle } from './bundle.js';

const runner = bundle('bench/lm-run.ts', 'bench-lm-run.mjs');
const quick = process.argv.includes('--quick');
const sentences = 1000;
const capSeconds = quick ? 10 : 60;

const configs = [
  { kind: 'ultra', label: 'ultra order 3', order: 3, minFrequency: 1, maxPatterns: 0, sentences },
  {
    kind: 'ultra',
    label: 'ultra order 3 pruned (min-frequency 2)',
    order: 3,
    minFrequency: 2,
    maxPatterns: 0,
    sentences,
  },
  { kind: 'ultra', label: 'ultra order 5', order: 5, minFrequency: 1, maxPatterns: 0, sentences },
  {
    kind: 'ultra',
    label: 'ultra order 5 pruned (min-frequency 2)',
    order: 5,
    minFrequency: 2,
    maxPatterns: 0,
    sentences,
  },
  {
    kind: 'ultra',
    label: 'ultra order 5 capped (max-patterns 1M)',
    order: 5,
    minFrequency: 1,
    maxPatterns: 1_000_000,
    sentences,
  },
  // The load target's small case: a model of about 1.5 MB of text (the first lines of the split).
  {
    kind: 'ultra',
    label: 'ultra order 5, first 1.5 MB of text',
    order: 5,
    minFrequency: 1,
    maxPatterns: 0,
    sentences,
    trainMegabytes: 1.5,
  },
  { kind: 'markov-strings', label: 'markov-strings 3.0.4 (stateSize 2)', stateSize: 2, sentences, capSeconds },
  { kind: 'markov-chains', label: 'markov-chains 1.0.2 (stateSize 2)', stateSize: 2, sentences, capSeconds },
];

type Row = Record<string, unknown> & { label: string; kind: string };
const run = (
  config: Record<string, unknown> & { trainMegabytes?: number },
  node: { args?: string[]; env?: Record<string, string> } = {},
): Row => {
  const text = config.trainMegabytes !== undefined ? subsetPath(config.trainMegabytes) : trainPath;
  const out = execFileSync(
    process.execPath,
    [...(node.args ?? []), runner, JSON.stringify({ ...config, trainPath: text, testPath })],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      env: { ...process.env, ...node.env },
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as Row;
};
const scratch = mkdtempSync(join(tmpdir(), 'bench-lm-'));
const brown = loadBrown();
const trainPath = join(scratch, 'brown-train.txt');
const testPath = join(scratch, 'brown-test.txt');
writeFileSync(trainPath, `${brown.train.join('\n')}\n`);
writeFileSync(testPath, `${brown.test.join('\n')}\n`);
/** A file with the first lines of the training split holding about `megabytes` of text. */
function subsetPath(megabytes: number): string {
  const path = join(scratch, `brown-train-${megabytes}MB.txt`);
  let bytes = 0;
  const lines = brown.train.filter((line) => (bytes += Buffer.byteLength(line) + 1) <= megabytes * 1e6);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
const touched = run({ kind: 'touch', label: 'memory' });
const rows: Row[] = [];
for (const [index, config] of configs.entries()) {
  process.stderr.write(`running ${config.label}…\n`);
  if (config.kind !== 'ultra') {
    rows.push(run(config));
    continue;
  }
  const modelPath = join(scratch, `model-${index}.ulm`);
  const trained = run({ ...config, phase: 'train', modelPath });
  const used = run({ ...config, phase: 'use', modelPath });
  rows.push({ ...trained, ...used, trainPeakRssBytes: trained.peakRssBytes, usePeakRssBytes: used.peakRssBytes });
}
// The load's own work, without the price of fresh memory, each load after the collection of the
// last model: decoding into the buffers of the model loaded before it (as the bot's cache does with
// the models it evicts); with glibc keeping freed blocks in its heap (no mmap for large blocks, no
// trimming); then with transparent huge pages (glibc madvises its large blocks): freed memory goes
// back to the kernel as usual, and the next load faults it in 2 MB at a time (`npm run
// bench:memory` shows what that changes on this machine).
const reloadSettings: { name: string; note: string; env?: Record<string, string>; reuse?: boolean }[] = [
  {
    name: "the dropped model's buffers",
    note: "glibc's defaults, each load decoding into the buffers of the model before it (Model.arrayBuffers, as the bot's cache reuses an evicted model's)",
    reuse: true,
  },
  {
    name: 'recycled memory',
    note: 'with glibc keeping freed memory (GLIBC_TUNABLES mmap_threshold=1 GB, trim_threshold=4 GB)',
    env: { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295' },
  },
  {
    name: 'transparent huge pages',
    note: 'freed memory returned to the kernel as usual, new memory in 2 MB pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1)',
    env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' },
  },
];
const reloads = reloadSettings.flatMap((setting) =>
  ['ultra order 5', 'ultra order 5, first 1.5 MB of text'].map((label) => {
    const index = configs.findIndex((config) => config.label === label);
    return {
      row: run(
        { kind: 'reload', label, modelPath: join(scratch, `model-${index}.ulm`), loads: 11, reuse: setting.reuse },
        { args: ['--expose-gc'], env: setting.env },
      ),
      setting,
    };
  }),
);
rmSync(scratch, { recursive: true, force: true });

const num = (value: unknown, digits = 2) => (typeof value === 'number' ? value.toFixed(digits) : '–');
const int = (value: unknown) => (typeof value === 'number' ? Math.round(value).toLocaleString('en-US') : '–');
const first = rows[0];
console.log(
  `\nBrown corpus: training split ${(Number(first.trainBytes) / 1e6).toFixed(2)} MB (every 10th document held out); node ${process.version}\n`,
);
const header = [
  'configuration',
  'train s',
  'MB/s',
  'peak RSS MB (train / use)',
  'n-grams',
  'file bytes',
  'B/n-gram (all / counts)',
  'load ms (first / median)',
  'load MB/s (median)',
  'ppl',
  'ppl excl OOV',
  `${sentences} sentences ms`,
  'tokens/s',
  'tokens/s (t 0.7, p 0.95)',
];
const table = rows.map((r) => [
  r.label,
  num(r.trainSeconds),
  num(r.trainMBps),
  r.kind === 'ultra'
    ? `${num(Number(r.trainPeakRssBytes) / 1e6, 0)} / ${num(Number(r.usePeakRssBytes) / 1e6, 0)}`
    : num(Number(r.peakRssBytes) / 1e6, 0),
  int(r.ngrams),
  int(r.fileBytes),
  r.kind === 'ultra' ? `${num(r.bytesPerNgram)} / ${num(r.countBytesPerNgram)}` : '–',
  r.kind === 'ultra' ? `${num(r.firstLoadMs, 0)} / ${num(r.loadMs, 1)}` : '–',
  num(r.loadMBps, 0),
  num(r.perplexity),
  num(r.perplexityExclOov),
  `${num(r.generateMs, 1)}${r.extrapolated ? ` (extrapolated from ${r.generatedSentences} in ${capSeconds} s)` : ''}`,
  int(r.tokensPerSecond),
  int(r.tokensPerSecondExplicit),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => String(row[i]).length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table) console.log(line(row));
const ultra5 = rows.find((r) => r.label === 'ultra order 5');
for (const other of rows.filter((r) => r.kind !== 'ultra')) {
  if (ultra5 && typeof other.generateMs === 'number' && typeof ultra5.generateMs === 'number') {
    console.log(
      `generation of ${sentences} sentences: ${other.label} takes ${(other.generateMs / ultra5.generateMs).toFixed(0)}× as long as ultra order 5`,
    );
  }
}
console.log(
  '\nPeak RSS is the whole process (node and the text included): "train" reads the text file, trains and encodes; "use" loads, scores and generates.',
);
console.log(
  'Load: file bytes to a model ready to generate and score (probabilities included, raw counts not kept: decode(bytes, { counts: false }), as the bot and `ultra generate` load); "first" is the first load of the fresh "use" process (cold compiler, fresh memory), "median" the median of the five loads after it.',
);
for (const { row: r, setting } of reloads) {
  console.log(
    `Load with ${setting.name}, ${r.label}: median ${num(r.reloadMedianMs, 1)} ms (min ${num(r.reloadMinMs, 1)}), ` +
      `${num(Number(r.fileBytes) / 1e6 / (Number(r.reloadMedianMs) / 1000), 1)} MB/s: ten loads, each after the last model was collected, ${setting.note}.`,
  );
}
console.log(
  'Generation: 1,000 sentences of warm-up with other seeds, then the median of five timed runs of the same sentences.',
);
console.log(
  'B/n-gram "counts" leaves out the embeddings (int8 rows + scales), which are the same size whatever the pruning.',
);
console.log('The Markov libraries cannot score text, so they have no perplexity.');
console.log(
  `Fresh memory on this machine: writing 100 MB of newly allocated typed arrays takes ${num(touched.firstTouchMsPer100MB, 0)} ms (page faults); ` +
    'a load (without raw counts, as the bot and `ultra generate` load) writes ~28 bytes per n-gram into new arrays, 90 MB for the order-5 model.',
);
