// Where a natural-sampler call's time goes: bench/natural-speed.ts (this tree only) compiled with
// esbuild and run under `node --cpu-prof`, its samples inside `generate` sorted into the stages of
// a call by the function (inlined ones by their source line) and, for graph reads, by the stage
// that called them. Prints one table row per stage, as shares of the time in `generate`.
//   npx tsx bench/natural-profile.ts [--rounds 4] [--texts 4000] [--recent]
// --recent: successive calls with a memory of recent texts, as a server's /generate without a seed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle } from './bundle.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    texts: { type: 'string', default: '4000' },
    recent: { type: 'boolean', default: false },
  },
});

type Stage = 'gather' | 'weigh' | 'draw' | 'score' | 'recent' | 'walk' | 'rank' | 'call' | 'detokenize';
const STAGES: Record<Stage, string> = {
  gather: 'gathering candidates: the chain, child starts, suffix links, kept lists found',
  weigh: 'weighing candidates: runs, lists written, the rules',
  draw: 'drawing one by weight',
  score: 'scoring the drawn word and the next state (advance)',
  recent: 'the recent-pairs memory',
  walk: 'walk bookkeeping: loops, quotes and brackets',
  rank: 'ranking the walks',
  call: 'per call: reading the prompt, set-up',
  detokenize: 'detokenizing',
};
/** The stage of a function's own time. */
const BY_FUNCTION: Record<string, Stage> = {
  repeats: 'recent',
  record: 'recent',
  pick: 'draw',
  runningSum: 'draw',
  better: 'rank',
  recentExcess: 'rank',
  detokenize: 'detokenize',
  word: 'detokenize',
  tokenize: 'call',
  readPrompt: 'call',
  hashString: 'call',
  seededRandom: 'call',
  NaturalWalker: 'call',
  settingsOf: 'call',
  start: 'call',
  refuses: 'weigh',
  adjusted: 'weigh',
  pairAllows: 'weigh',
  hasPairEvidence: 'weigh',
  pairShare: 'weigh',
  writeList: 'weigh',
  excludedFrom: 'weigh',
  add: 'weigh',
  begin: 'weigh',
  finish: 'weigh',
  positionOf: 'weigh',
  exclude: 'weigh',
  firstKept: 'weigh',
  rootWeights: 'weigh',
  closesLoop: 'walk',
  pairAdvance: 'walk',
  closeMarks: 'walk',
  advance: 'score',
};
/** The stage of the graph reads (child starts, searches, backoffs) that a function calls. */
const CALLERS: Record<string, Stage> = {
  advance: 'score',
  refuses: 'weigh',
  hasPairEvidence: 'weigh',
  writeList: 'weigh',
  excludedFrom: 'weigh',
  drawFrom: 'gather',
  draw: 'gather',
  firstDraw: 'gather',
  start: 'call',
  walk: 'walk',
  generateNatural: 'call',
  generate: 'call',
};

/** table[name], only for a name of its own (not `constructor` or another inherited key). */
const stageIn = (table: Record<string, Stage>, name: string): Stage | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string };
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const script = bundle('bench/natural-speed.ts', 'bench-natural-profile.mjs');
const directory = mkdtempSync(join(tmpdir(), 'natural-profile-'));
const args = ['--profile', '--cpu', '--rounds', values.rounds, '--texts', values.texts];
if (values.recent) args.push('--recent');
process.stdout.write(
  execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${directory}`, script, ...args], {
    encoding: 'utf8',
  }),
);
const profile = JSON.parse(readFileSync(join(directory, readdirSync(directory)[0]), 'utf8')) as Profile;
rmSync(directory, { recursive: true, force: true });

// The bundle's lines: which function each belongs to (by the definitions before it), and where
// drawFrom weighs (from its `const table` to the `size++` that ends the loop) and picks.
const source = readFileSync(script, 'utf8').split('\n');
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'else', 'return', 'do', 'with']);
const definitions: { line: number; name: string }[] = [];
source.forEach((text, i) => {
  const match = text.match(/^\s*(?:function\s+([\w$]+)|(?:static\s+|get\s+)?([\w$]+)\s*\([^)]*\)\s*\{\s*$)/);
  const name = match?.[1] ?? match?.[2];
  if (name !== undefined && !KEYWORDS.has(name)) definitions.push({ line: i + 1, name });
});
function functionAt(line: number): string | null {
  let found: string | null = null;
  for (const definition of definitions) {
    if (definition.line > line) break;
    found = definition.name;
  }
  return found;
}
const drawFromLine = source.findIndex((text) => /^ {2}drawFrom\(/.test(text)) + 1;
const weighFrom =
  source.findIndex((text, i) => i > drawFromLine && text.includes('const table = context === ROOT ? 0')) + 1;
const weighTo = source.findIndex((text, i) => i > weighFrom && /^\s+size\+\+;/.test(text)) + 2;
const pickTo = source.findIndex((text, i) => i > weighTo && text.includes('return drawIds[index]')) + 1;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const selfSamples = new Map<number, number>();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const ancestors = function* (id: number) {
  for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) yield byId.get(at) as ProfileNode;
};

const shares = new Map<Stage, number>();
let inGenerate = 0;
for (const node of profile.nodes) {
  const self = selfSamples.get(node.id) ?? 0;
  if (self === 0 || ![...ancestors(node.id)].some((a) => a.callFrame.functionName === 'generate')) continue;
  const name = node.callFrame.functionName;
  const ticks = node.positionTicks?.length ? node.positionTicks : [{ line: -1, ticks: self }];
  const sum = ticks.reduce((total, t) => total + t.ticks, 0);
  for (const { line, ticks: count } of ticks) {
    const inner = line > 0 ? (functionAt(line) ?? name) : name;
    let stage: Stage | undefined;
    if (inner === 'drawFrom')
      stage = line >= weighFrom && line < weighTo ? 'weigh' : line >= weighTo && line < pickTo ? 'draw' : 'gather';
    else stage = stageIn(BY_FUNCTION, inner) ?? stageIn(CALLERS, name);
    if (stage === undefined)
      for (const ancestor of ancestors(node.id)) {
        stage = stageIn(CALLERS, ancestor.callFrame.functionName);
        if (stage !== undefined) break;
      }
    const share = (self * count) / sum;
    shares.set(stage ?? 'call', (shares.get(stage ?? 'call') ?? 0) + share);
    inGenerate += share;
  }
}
console.log(`\n| stage of a call${values.recent ? ' (with a memory of recent texts)' : ''} | share of its time |`);
console.log('|---|---|');
for (const [stage, share] of [...shares].sort((a, b) => b[1] - a[1]))
  console.log(`| ${STAGES[stage]} | ${((100 * share) / inGenerate).toFixed(1)} % |`);
