// npm run bench:manager — the model manager under load, each section in its own process:
//   1. event-loop delay (p50/p99, perf_hooks.monitorEventLoopDelay) on the main thread while a
//      worker trains the Brown training split at order 5 (target p99 ≤ 20 ms), then the load
//      time of that model from its file (as after a cache eviction) and from the cache;
//   2. 1,000 guilds with a small model each, every one generating twice, under the default
//      256 MB cache budget and under a 16 MB one: RSS, cache use, evictions, latency.
// `--quick` runs the guild sections with 200 guilds.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./manager-run.ts', import.meta.url));
const quick = process.argv.includes('--quick');
const guilds = quick ? 200 : 1000;

// biome-ignore lint/suspicious/noExplicitAny: the child's JSON report, read field by field below
function run(config: object): Record<string, any> {
  process.stderr.write(`running ${JSON.stringify(config)}…\n`);
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', runner, JSON.stringify(config)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, any>;
}

const f = (value: number, digits = 1) => value.toFixed(digits);

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

const loop = run({ section: 'event-loop' });
const guildRuns = [256, 16].map((cacheMB) => run({ section: 'guilds', guilds, cacheMB }));

console.log(
  `\nBrown training split: ${(loop.trainBytes / 1e6).toFixed(2)} MB, ${loop.trainLines.toLocaleString('en-US')} lines, order 5; node ${process.version}\n`,
);
table(
  ['main thread while training (1 ms timer: 1.0 = no delay)', 'event-loop p50 ms', 'p99 ms', 'max ms', 'wall s'],
  [
    [
      'whole job (ingest on main thread + worker training + save)',
      f(loop.job.p50, 2),
      f(loop.job.p99, 2),
      f(loop.job.max, 1),
      f(loop.jobMs / 1000),
    ],
    [
      'worker training phases only',
      f(loop.training.p50, 2),
      f(loop.training.p99, 2),
      f(loop.training.max, 1),
      f(loop.trainingMs / 1000),
    ],
  ],
);
console.log(
  `target: p99 ≤ 20 ms — ${loop.training.p99 <= 20 ? 'met' : 'NOT met'} during training, ${loop.job.p99 <= 20 ? 'met' : 'NOT met'} over the whole job\n`,
);
table(
  ['order-5 Brown model', 'value'],
  [
    ['n-grams', loop.patterns.toLocaleString('en-US')],
    ['memory MB', f(loop.memoryBytes / 1e6)],
    ['file MB', f(loop.fileBytes / 1e6, 2)],
    ['save ms', f(loop.saveMs)],
    ['load from file ms (evicted / not cached: read, sha256, decode)', f(loop.evictedLoadMs)],
    ['room for one model, two guilds: first load after 5 s idle (new memory) ms', f(loop.firstLoadIdleMs)],
    [
      `the next ${loop.spareReuses} loads, each into the buffers of the model it evicted, 5 s idle before each: median ms (min–max)`,
      `${f(loop.reuseLoadMs)} (${f(loop.reuseLoadRange[0])}–${f(loop.reuseLoadRange[1])})`,
    ],
    ['load from cache ms', f(loop.cachedLoadMs, 2)],
    ['generate 30 tokens ms (cached)', f(loop.generateMs, 2)],
  ],
);
console.log('');
table(
  [
    'guilds',
    'budget MB',
    'model KB (mem / file)',
    'cached models',
    'cache MB',
    'evictions',
    'RSS MB before → after',
    '1st pass p50 / p99 ms',
    '2nd pass p50 / p99 ms',
  ],
  guildRuns.map((r) => [
    String(r.guilds),
    f(r.budgetMB, 0),
    `${f(r.modelMemoryKB)} / ${f(r.modelFileKB)}`,
    String(r.cachedModels),
    f(r.cachedMB),
    String(r.evictions),
    `${f(r.rssBeforeMB, 0)} → ${f(r.rssAfterMB, 0)}`,
    `${f(r.firstPass.p50, 2)} / ${f(r.firstPass.p99, 2)}`,
    `${f(r.secondPass.p50, 2)} / ${f(r.secondPass.p99, 2)}`,
  ]),
);
console.log(
  '\n1st pass: every guild generates once (its model is read, verified and decoded); 2nd pass: again (cache hits if the budget holds them all).',
);
