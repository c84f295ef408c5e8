// What the natural sampler reads, per output token, on Brown order 5's image (the one
// bench/natural-speed.ts builds and caches): every typed array of the query graph is wrapped in a
// proxy that feeds a simulated cache of one core's L2 (1 MB, 16-way LRU, 64-byte lines), and the
// query graph's calls are counted. Slow (a proxy per read): a few hundred texts take seconds.
// Prints the lines missed per output token by array and call site, and the calls per token.
//   npx tsx bench/natural-reads.ts [--texts 500]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as lm from '../src/lm/index.js';

const { values } = parseArgs({ options: { texts: { type: 'string', default: '500' } } });
const TEXTS = Math.max(1, Number(values.texts));
const PROMPTS = ['', 'The', 'He said', 'In the', 'It was a'];
const root = fileURLToPath(new URL('..', import.meta.url));
const imagePath = join(root, 'node_modules', '.cache', 'ultraefficient', 'bench-natural-brown5.uli');

type Loose = Record<string, unknown>;
type Method = (this: Loose, ...args: unknown[]) => unknown;
type View = Uint8Array & { BYTES_PER_ELEMENT: number };

const SETS = 1024;
const WAYS = 16;
const tags = new Float64Array(SETS * WAYS).fill(-1);
const ages = new Float64Array(SETS * WAYS);
let clock = 0;
let site = 'sampler';
const misses = new Map<string, number>();
const reads = new Map<string, number>();
const calls = new Map<string, number>();
const buffers = new WeakMap<ArrayBufferLike, number>();
let bufferCount = 0;
const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

function touch(name: string, array: View, index: number): void {
  let id = buffers.get(array.buffer);
  if (id === undefined) {
    id = ++bufferCount;
    buffers.set(array.buffer, id);
  }
  const key = `${name}@${site}`;
  add(reads, key);
  const line = id * 2 ** 30 + Math.floor((array.byteOffset + index * array.BYTES_PER_ELEMENT) / 64);
  const base = (line % SETS) * WAYS;
  clock++;
  let oldest = base;
  for (let way = base; way < base + WAYS; way++) {
    if (tags[way] === line) {
      ages[way] = clock;
      return;
    }
    if (ages[way] < ages[oldest]) oldest = way;
  }
  tags[oldest] = line;
  ages[oldest] = clock;
  add(misses, key);
}

function wrap(owner: Loose, field: string, name: string): void {
  owner[field] = new Proxy(owner[field] as View, {
    get(target, property) {
      if (typeof property === 'string' && property.charCodeAt(0) >= 48 && property.charCodeAt(0) <= 57)
        touch(name, target, Number(property));
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

if (!existsSync(imagePath)) {
  console.error(`no image at ${imagePath}: run \`npx tsx bench/natural-speed.ts --rounds 1\` first (it builds it)`);
  process.exit(1);
}
const model = lm.decodeImage(new Uint8Array(readFileSync(imagePath)));
const graph = (model as unknown as Loose).query as Loose;
for (const field of ['word', 'probCode', 'probTable', 'unigramProb', 'unigramBackoff', 'impliedBackoff'])
  wrap(graph, field, field);
for (const field of ['backoffCode', 'backoffTable']) wrap(graph, field, field);
const starts = graph.childStart as Loose;
for (const field of ['bits', 'samples', 'kept']) wrap(starts, field, `childStart.${field}`);
const implied = graph.backoffImplied as Loose;
for (const field of ['bits', 'counts']) wrap(implied, field, `backoffImplied.${field}`);
const shares = graph.shares as Loose;
for (const field of ['code', 'checkpoint']) wrap(shares, field, `share.${field}`);
wrap(shares.single as Loose, 'bits', 'shareSingle.bits');
wrap(graph.suffix as Loose, 'data', 'suffix');

// Calls, and the call site the reads below them are counted under.
const prototype = Object.getPrototypeOf(graph) as Record<string, Method>;
const sites = new Set(['stateAfterIn', 'backoff', 'findChild']);
for (const name of ['searchedSuffixOf', 'parentOf', 'stateAfterIn', 'backoff', 'findChild', 'stateAfter']) {
  const original = prototype[name];
  prototype[name] = function (this: Loose, ...args: unknown[]) {
    add(calls, name);
    const was = site;
    if (sites.has(name) && site !== 'stateAfterIn') site = name;
    try {
      return original.apply(this, args);
    } finally {
      site = was;
    }
  };
}
const visited = new Set<number>();
const childFrom = prototype.childFrom;
prototype.childFrom = function (this: Loose, context: unknown) {
  add(calls, 'context visits (childFrom)');
  if (!visited.has(context as number)) {
    visited.add(context as number);
    add(calls, 'contexts visited the first time');
  }
  return childFrom.call(this, context);
};

let tokens = 0;
for (let i = 0; i < TEXTS; i++) {
  const prompt = PROMPTS[i % PROMPTS.length];
  tokens += model.generate({ seed: i, maxLength: 40, ...(prompt ? { prompt } : {}) }).tokens;
}
const perToken = (count: number) => (count / tokens).toFixed(2).padStart(7);
console.log(`${TEXTS} texts, ${tokens} output tokens; L2 lines missed per output token (reads per token):`);
let total = 0;
for (const [key, count] of [...misses].sort((a, b) => b[1] - a[1])) {
  total += count;
  console.log(`  ${key.padEnd(34)} ${perToken(count)} (${perToken(reads.get(key) ?? 0)})`);
}
console.log(`  ${'all'.padEnd(34)} ${perToken(total)}`);
console.log('calls per output token:');
for (const [key, count] of [...calls].sort()) console.log(`  ${key.padEnd(34)} ${perToken(count)}`);
