// npm run bench:lm — the pattern model on the Brown corpus against the two most used npm
// Markov libraries, in one run. Each configuration runs in its own process (peak RSS is that
// process's own). Prints a table; not a timed test.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./lm-run.ts', import.meta.url));
const quick = process.argv.includes('--quick');
const sentences = 1000;
const capSeconds = quick ? 10 : 60;

const configs = [
  { kind: 'ultra', label: 'ultra order 3', order: 3, minFrequency: 1, maxPatterns: 0, sentences },
  { kind: 'ultra', label: 'ultra order 3 pruned (min-frequency 2)', order: 3, minFrequency: 2, maxPatterns: 0, sentences },
  { kind: 'ultra', label: 'ultra order 5', order: 5, minFrequency: 1, maxPatterns: 0, sentences },
  { kind: 'ultra', label: 'ultra order 5 pruned (min-frequency 2)', order: 5, minFrequency: 2, maxPatterns: 0, sentences },
  { kind: 'ultra', label: 'ultra order 5 capped (max-patterns 1M)', order: 5, minFrequency: 1, maxPatterns: 1_000_000, sentences },
  { kind: 'markov-strings', label: 'markov-strings 3.0.4 (stateSize 2)', stateSize: 2, sentences, capSeconds },
  { kind: 'markov-chains', label: 'markov-chains 1.0.2 (stateSize 2)', stateSize: 2, sentences, capSeconds },
];

type Row = Record<string, unknown> & { label: string; kind: string };
const rows: Row[] = [];
for (const config of configs) {
  process.stderr.write(`running ${config.label}…\n`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', runner, JSON.stringify(config)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  rows.push(JSON.parse(out.trim().split('\n').pop() as string) as Row);
}

const num = (value: unknown, digits = 2) => (typeof value === 'number' ? value.toFixed(digits) : '–');
const int = (value: unknown) => (typeof value === 'number' ? Math.round(value).toLocaleString('en-US') : '–');
const first = rows[0];
console.log(`\nBrown corpus: training split ${(Number(first.trainBytes) / 1e6).toFixed(2)} MB (every 10th document held out); node ${process.version}\n`);
const header = ['configuration', 'train s', 'MB/s', 'peak RSS MB', 'n-grams', 'file bytes', 'B/n-gram', 'load ms', 'load MB/s', 'ppl', 'ppl excl OOV', `${sentences} sentences ms`, 'tokens/s'];
const table = rows.map((r) => [
  r.label,
  num(r.trainSeconds),
  num(r.trainMBps),
  num(Number(r.peakRssBytes) / 1e6, 0),
  int(r.ngrams),
  int(r.fileBytes),
  num(r.bytesPerNgram),
  num(r.loadMs, 1),
  num(r.loadMBps, 0),
  num(r.perplexity),
  num(r.perplexityExclOov),
  `${num(r.generateMs, 1)}${r.extrapolated ? ` (extrapolated from ${r.generatedSentences} in ${capSeconds} s)` : ''}`,
  int(r.tokensPerSecond),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => String(row[i]).length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table) console.log(line(row));
const ultra5 = rows.find((r) => r.label === 'ultra order 5');
for (const other of rows.filter((r) => r.kind !== 'ultra')) {
  if (ultra5 && typeof other.generateMs === 'number' && typeof ultra5.generateMs === 'number') {
    console.log(`generation of ${sentences} sentences: ${other.label} takes ${(other.generateMs / ultra5.generateMs).toFixed(0)}× as long as ultra order 5`);
  }
}
console.log('\nThe Markov libraries cannot score text, so they have no perplexity.');
