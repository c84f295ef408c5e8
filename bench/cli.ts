// npm run bench:cli — the `ultra` tool as whole processes, in one run, after `npm run build`:
//   - `ultra --help` (node bin/ultra.js --help, compiled) against `node -e 0` (Node's own start-up)
//     and against the same help through tsx (`node --import tsx src/cli/main.ts --help`, what a
//     clone without a build ran), the three alternating, best and median of N runs each;
//   - `ultra train FILE -o x.ulm --order 5` (compiled) against KenLM's `lmplz -o 5 <FILE >x.arpa`,
//     alternating, on Brown's training split (bench/brown.ts) tokenized by `ultra tokenize`, when
//     lmplz is given (--lmplz PATH, else $LMPLZ, else lmplz on PATH); it is not an npm package:
//     build it from KenLM's sources (cmake, Boost).
// Wall times from a monotonic clock around each child; the ratios are taken pair by pair (their
// median), which stays meaningful when a loaded machine's speed drifts during the run.
//   npm run bench:cli [-- --runs N] [--train-runs N] [--lmplz PATH] [--lmplz-args="-S 1G"]
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildIsCurrent } from '../scripts/build-stamp.mjs';
import { loadBrown } from './brown.js';
import { benchOption } from './options.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    'train-runs': { type: 'string' },
    lmplz: { type: 'string' },
    'lmplz-args': { type: 'string' },
  },
});
const argv = process.argv.slice(2);
const RUNS = benchOption(argv, 'runs', 20, 1);
const TRAIN_RUNS = benchOption(argv, 'train-runs', 3, 1);
const lmplzArgs = (values['lmplz-args'] ?? '').split(/\s+/).filter(Boolean);

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const ultra = join(root, 'bin', 'ultra.js');

execFileSync(node, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
if (!buildIsCurrent(root)) throw new Error('the build is not current after npm run build: is a source being edited?');

interface Command {
  label: string;
  file: string;
  args: string[];
  stdin?: string;
  stdout?: string;
}

/** Seconds from start to exit of one child; throws when it fails (a figure of a failure is no figure). */
function time(command: Command): number {
  const input = command.stdin === undefined ? 'ignore' : openSync(command.stdin, 'r');
  const output = command.stdout === undefined ? 'ignore' : openSync(command.stdout, 'w');
  const started = process.hrtime.bigint();
  const result = spawnSync(command.file, command.args, { cwd: root, stdio: [input, output, 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (typeof input === 'number') closeSync(input);
  if (typeof output === 'number') closeSync(output);
  if (result.error || result.status !== 0)
    throw new Error(`${command.label} failed: ${result.error?.message ?? `exit ${result.status}: ${result.stderr}`}`);
  return seconds;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Runs the commands in turn, `runs` rounds after one round of warm-up; seconds per command. */
function alternate(commands: Command[], runs: number): number[][] {
  for (const command of commands) time(command);
  const seconds = commands.map(() => [] as number[]);
  for (let round = 0; round < runs; round++) {
    for (const [i, command] of commands.entries()) seconds[i].push(time(command));
  }
  return seconds;
}

function table(commands: Command[], seconds: number[][], baseline: number, unit: 'ms' | 's'): string {
  const show = (value: number) => (unit === 'ms' ? (value * 1000).toFixed(1) : value.toFixed(2));
  const rows = commands.map((command, i) => {
    const ratios = seconds[i].map((value, round) => value / seconds[baseline][round]);
    const ratio =
      i === baseline
        ? '1'
        : `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
    return `| ${command.label} | ${show(Math.min(...seconds[i]))} | ${show(median(seconds[i]))} | ${ratio} |`;
  });
  return [
    `| command (${seconds[0].length} runs each, alternating) | best ${unit} | median ${unit} | × ${commands[baseline].label}, median of pairs (range) |`,
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

const help: Command[] = [
  { label: '`node bin/ultra.js --help` (compiled)', file: node, args: [ultra, '--help'] },
  { label: '`node -e 0`', file: node, args: ['-e', '0'] },
  {
    label: 'the same help through tsx',
    file: node,
    args: ['--import', 'tsx', join(root, 'src/cli/main.ts'), '--help'],
  },
];
console.log(`ultra --help as a whole process (Node ${process.version})\n`);
console.log(table(help, alternate(help, RUNS), 1, 'ms'));

const lmplz = values.lmplz ?? process.env.LMPLZ ?? findOnPath('lmplz');
const scratch = mkdtempSync(join(tmpdir(), 'bench-cli-'));
try {
  const raw = join(scratch, 'brown-train.txt');
  const tokens = join(scratch, 'brown-train.tokens');
  writeFileSync(raw, `${loadBrown().train.join('\n')}\n`);
  time({ label: 'ultra tokenize', file: node, args: [ultra, 'tokenize'], stdin: raw, stdout: tokens });
  const bytes = statSync(tokens).size;
  const train: Command[] = [
    {
      label: '`ultra train FILE -o x.ulm --order 5`',
      file: node,
      args: [ultra, 'train', tokens, '-o', join(scratch, 'x.ulm'), '--order', '5', '--json'],
    },
  ];
  if (lmplz !== null)
    train.push({
      label: `\`lmplz -o 5 ${lmplzArgs.join(' ')}${lmplzArgs.length ? ' ' : ''}<FILE >x.arpa\``,
      file: lmplz,
      args: ['-o', '5', ...lmplzArgs],
      stdin: tokens,
      stdout: join(scratch, 'x.arpa'),
    });
  console.log(
    `\nTraining Brown's training split at order 5, tokenized by ultra tokenize (${(bytes / 1e6).toFixed(2)} MB), as whole processes\n`,
  );
  if (lmplz === null) console.log('(lmplz not found: pass --lmplz PATH or set LMPLZ to compare with KenLM)\n');
  console.log(table(train, alternate(train, TRAIN_RUNS), train.length - 1, 's'));
  const model = statSync(join(scratch, 'x.ulm')).size;
  const image = statSync(join(scratch, 'x.uli')).size;
  const arpa =
    lmplz === null ? '' : `, lmplz's ARPA file ${(statSync(join(scratch, 'x.arpa')).size / 1e6).toFixed(1)} MB`;
  console.log(`\nultra wrote x.ulm ${(model / 1e6).toFixed(2)} MB and x.uli ${(image / 1e6).toFixed(1)} MB${arpa}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function findOnPath(name: string): string | null {
  for (const folder of (process.env.PATH ?? '').split(':')) {
    const path = join(folder, name);
    if (statSync(path, { throwIfNoEntry: false })?.isFile()) return path;
  }
  return null;
}
