// Speed of the natural sampler (the product defaults of /generate) on the image of Brown's order-5
// model, and, with --baseline, paired against another checkout of the project in the same process:
// both load the same image bytes, their rounds alternate (so a busy neighbour slows both alike),
// and every text of the two is compared (a speed change must not change the output).
//   npx tsx bench/natural-speed.ts [--baseline DIR] [--rounds 5] [--texts 2000] [--block N] [--cpu] [--recent] [--exact] [--profile]
// DIR is a checkout of the project (e.g. `git archive <commit> | tar -x -C DIR`, with
// node_modules linked into it). --profile runs only this tree, for `node --cpu-prof`. --cpu times
// a round by the process's CPU time (user + system) instead of the wall clock: on a machine whose
// cores other processes share, the time this process waited for a core is then left out. --block N
// alternates the two trees every N texts within a round (each tree's round is the sum of its
// blocks), so a neighbour's burst of load falls on both alike; by default each runs a whole round.
// --recent gives each tree a memory of its recent texts (RecentPhrases), as a server's /generate
// without a seed has: its calls are successive, so the texts are compared in one pass of each
// tree, and the rounds go on from the memory the previous ones left. --exact times exact sampling
// (`ultra generate --exact`) instead of the defaults.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as current from '../src/lm/index.js';
import { loadBrown } from './brown.js';
import { replaceFile } from './bundle.js';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    texts: { type: 'string', default: '2000' },
    profile: { type: 'boolean', default: false },
    cpu: { type: 'boolean', default: false },
    block: { type: 'string' },
    recent: { type: 'boolean', default: false },
    exact: { type: 'boolean', default: false },
  },
});
const ROUNDS = Math.max(1, Number(values.rounds));
const TEXTS = Math.max(1, Number(values.texts));
const BLOCK = values.block === undefined ? TEXTS : Math.max(1, Math.min(TEXTS, Number(values.block)));
const PROMPTS = ['', 'The', 'He said', 'In the', 'It was a'];

type Lm = typeof current;

/** Milliseconds of the clock a round is timed by (--cpu: this process's CPU time). */
function now(): number {
  if (!values.cpu) return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Brown order 5's image, built once and kept in node_modules/.cache (rebuilt when missing). */
function brownImage(): Uint8Array {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = join(root, 'node_modules', '.cache', 'ultraefficient');
  const path = join(dir, 'bench-natural-brown5.uli');
  if (existsSync(path)) {
    const cached = new Uint8Array(readFileSync(path));
    try {
      current.decodeImage(cached);
      return cached;
    } catch {
      // Of another layout (another tree's): built again below.
    }
  }
  const model = current.train(loadBrown().train, { maxPatternLength: 5, minFrequency: 1 });
  const image = current.encodeImage(model, 'bench-natural');
  mkdirSync(dir, { recursive: true });
  replaceFile(path, image);
  return image;
}

interface Contender {
  label: string;
  model: current.Model;
  /** Its memory of recent texts (--recent). */
  recent?: current.RecentPhrases;
  /** Returned tokens per second, per round. */
  rates: number[];
  /** Tokens of all walks (GenerateResult.drawnTokens) per second, per round; NaN for a tree without them. */
  drawnRates: number[];
}

function options(i: number, recent?: current.RecentPhrases): current.GenerateOptions {
  const prompt = PROMPTS[i % PROMPTS.length];
  return {
    seed: i,
    maxLength: 40,
    ...(prompt ? { prompt } : {}),
    ...(recent ? { recent } : {}),
    ...(values.exact ? { sampling: 'exact' as const } : {}),
  };
}

/** Texts [from, to) generated: returned tokens, all walks' tokens, milliseconds. */
interface Timed {
  tokens: number;
  drawn: number;
  ms: number;
}
function timeTexts(contender: Contender, from: number, to: number, into: Timed): void {
  const started = now();
  for (let i = from; i < to; i++) {
    const result = contender.model.generate(options(i, contender.recent));
    into.tokens += result.tokens;
    // A baseline tree from before drawnTokens has none.
    into.drawn += result.drawnTokens ?? Number.NaN;
  }
  into.ms += now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const image = brownImage();
const contenders: Contender[] = [{ label: 'this tree', model: current.decodeImage(image), rates: [], drawnRates: [] }];
if (values.baseline !== undefined && !values.profile) {
  const dir = resolve(values.baseline);
  const lm = (await import(pathToFileURL(join(dir, 'src', 'lm', 'index.ts')).href)) as Lm;
  contenders.push({ label: `baseline ${dir}`, model: lm.decodeImage(image), rates: [], drawnRates: [] });
}
if (values.recent) for (const contender of contenders) contender.recent = new current.RecentPhrases();
console.log(
  `${values.exact ? 'exact sampling' : 'natural sampler'}, Brown order 5 image (${image.length.toLocaleString('en')} bytes), ${TEXTS} texts of up to 40 tokens a round, ${ROUNDS} rounds${values.cpu ? ', timed by CPU time' : ''}${values.recent ? ', with a memory of recent texts' : ''}`,
);

if (contenders.length === 2) {
  let different = 0;
  for (let i = 0; i < TEXTS; i++) {
    const a = contenders[0].model.generate(options(i, contenders[0].recent)).text;
    if (a !== contenders[1].model.generate(options(i, contenders[1].recent)).text) different++;
  }
  console.log(`texts that differ between the two: ${different} of ${TEXTS}`);
}
// Warm-up (with --recent, the comparison above was the first pass).
if (!values.recent) for (const contender of contenders) timeTexts(contender, 0, TEXTS, { tokens: 0, drawn: 0, ms: 0 });
for (let round = 0; round < ROUNDS; round++) {
  const timed = contenders.map(() => ({ tokens: 0, drawn: 0, ms: 0 }));
  for (let from = 0, block = 0; from < TEXTS; from += BLOCK, block++) {
    // Alternate who goes first, so neither always runs on a cooler (or hotter) machine.
    const first = (round + block) % 2;
    for (let k = 0; k < contenders.length; k++) {
      const c = (k + first) % contenders.length;
      timeTexts(contenders[c], from, Math.min(TEXTS, from + BLOCK), timed[c]);
    }
  }
  contenders.forEach((contender, c) => {
    contender.rates.push(timed[c].tokens / (timed[c].ms / 1000));
    contender.drawnRates.push(timed[c].drawn / (timed[c].ms / 1000));
  });
}
for (const contender of contenders) {
  const drawn = median(contender.drawnRates);
  console.log(
    `${contender.label}: median ${(median(contender.rates) / 1e3).toFixed(0)} k tokens/s returned (rounds: ${contender.rates.map((r) => (r / 1e3).toFixed(0)).join(', ')})${Number.isNaN(drawn) ? '' : `, ${(drawn / 1e3).toFixed(0)} k tokens/s over all walks`}`,
  );
}
if (contenders.length === 2) {
  const ratios = contenders[0].rates.map((rate, i) => rate / contenders[1].rates[i]);
  console.log(`ratio this tree / baseline, median of paired rounds: ${median(ratios).toFixed(2)}×`);
}
