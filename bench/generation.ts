// npm run bench:generation — what members of a server read: the product's generation at its
// defaults, its exact sampling (`ultra generate --exact`), markov-strings and markov-chains, and
// held-out human lines, side by side on the same training text (shipped samples, Brown, the
// chat-like nlp-corpus, Spanish prose) at 20 KB, 200 KB and 1 MB, 200 outputs per row (half of
// them continuing a two-word prompt taken from a held-out line). Fluency is judged by a separate
// order-5 model trained on a disjoint part of the same text. Prints tables and samples; not a test.
//
// Flags: --quick (20 KB and 200 KB only, 100 outputs), --corpus NAME (one corpus), --samples N,
// --outputs N, --ablation (instead of the peers: the defaults with one setting changed, to show
// what each rule of docs/model.md § Generation buys), --image (ours generates from the model
// image, as the bot's loaded models do: src/lm/image/).
import { parseArgs } from 'node:util';
import {
  decodeImage,
  encodeImage,
  RecentPhrases,
  splitSentences,
  train as trainModel,
  type Model,
} from '../src/lm/index.js';
import type { GenerateOptions } from '../src/lm/types.js';
import { brown, chat, firstBytes, sample, spanish, type Corpus } from './generation-corpora.js';
import { bigramSupply, measureTexts, normalized, wordsOf, type TextMeasures } from './generation-measures.js';
import { tokenize } from '../src/lm/index.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    corpus: { type: 'string' },
    samples: { type: 'string', default: '5' },
    outputs: { type: 'string' },
    ablation: { type: 'boolean', default: false },
    image: { type: 'boolean', default: false },
  },
});
/** The model ours generates with: with --image, the image of the trained model, as the bot loads it. */
const train = (lines: string[], params?: Parameters<typeof trainModel>[1]): Model => {
  const model = trainModel(lines, params);
  return values.image === true ? decodeImage(encodeImage(model, 'bench')) : model;
};
const quick = values.quick === true;
const OUTPUTS = Number(values.outputs ?? (quick ? 100 : 200));
const SAMPLES = Number(values.samples);
const MAX_LENGTH = 40;
const SIZES = quick ? [20_000, 200_000] : [20_000, 200_000, 1_000_000];

interface Output {
  text: string;
  /** Stopped at MAX_LENGTH rather than at an end of its own. */
  cut: boolean;
}

interface System {
  label: string;
  generate(prompt: string | null, seed: number): Output;
}

/**
 * Our generator. Its outputs follow each other as a server's /generate calls without a seed do, each
 * avoiding the word pairs of those before (src/lm/recent.ts; the seeds only make the run repeatable),
 * unless `alone`: then every output is a call of its own, as with a seed.
 */
/** How `ours` runs: plain sampling (`--exact`), each output a call of its own, settings changed. */
interface OursRun {
  exact?: boolean;
  alone?: boolean;
  changed?: GenerateOptions;
  label?: string;
}

function ours(model: Model, { exact = false, alone = false, changed = {}, label }: OursRun = {}): System {
  const recent = exact || alone ? undefined : new RecentPhrases();
  return {
    label: label ?? (exact ? 'ours --exact' : alone ? 'ours, calls alone' : 'ours (defaults)'),
    generate(prompt, seed) {
      const result = model.generate({
        prompt: prompt ?? undefined,
        seed,
        maxLength: MAX_LENGTH,
        recent,
        ...(exact ? { sampling: 'exact' as const } : {}),
        ...changed,
      });
      return { text: result.text, cut: result.stop === 'length' };
    },
  };
}

/** The defaults with one setting changed (--ablation). */
const ABLATIONS: [string, GenerateOptions][] = [
  ['anti-copy at 10 tokens', { maxCopyRun: 10 }],
  ['anti-copy off', { maxCopyRun: 0 }],
  ['temperature 1', { temperature: 1 }],
  ['temperature 1.6', { temperature: 1.6 }],
];

/** A deterministic generator of uniform numbers in [0, 1) for the peers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function markovStrings(lines: string[]): Promise<System> {
  // CommonJS: the class is `default` or `default.default` depending on the loader.
  const imported = (await import('markov-strings')).default as unknown as {
    default?: typeof import('markov-strings').default;
  };
  const Markov = (imported.default ?? imported) as typeof import('markov-strings').default;
  const markov = new Markov({ stateSize: 2 });
  markov.addData(lines);
  return {
    label: 'markov-strings 3.0.4',
    generate(prompt, seed) {
      try {
        // It cannot continue a prompt: it is asked for a sentence starting with the prompt.
        const filter =
          prompt === null ? () => true : (result: { string: string }) => result.string.startsWith(`${prompt} `);
        const words = markov.generate({ maxTries: 100, prng: prng(seed), filter }).string.split(' ');
        return {
          text: words.slice(0, MAX_LENGTH + (prompt === null ? 0 : 2)).join(' '),
          cut: words.length > MAX_LENGTH,
        };
      } catch {
        return { text: '', cut: false };
      }
    },
  };
}

async function markovChains(lines: string[]): Promise<System> {
  const imported = (await import('markov-chains')).default as unknown as { default?: unknown };
  type Chain = { walk(begin?: string[]): string[] };
  const ChainClass = (imported.default ?? imported) as new (
    corpus: string[][],
    options: { stateSize: number },
  ) => Chain;
  const chain = new ChainClass(
    lines.map((line) => line.split(' ').filter(Boolean)),
    { stateSize: 2 },
  );
  return {
    label: 'markov-chains 1.0.2',
    generate(prompt, seed) {
      // It draws from Math.random only: seeded here by replacing it for the call.
      const random = Math.random;
      Math.random = prng(seed);
      try {
        const begin = prompt === null ? undefined : prompt.split(' ');
        const words = chain.walk(begin);
        const all = begin === undefined ? words : words.length > 0 ? [...begin, ...words] : [];
        return { text: all.slice(0, MAX_LENGTH + (begin?.length ?? 0)).join(' '), cut: words.length > MAX_LENGTH };
      } catch {
        return { text: '', cut: false };
      } finally {
        Math.random = random;
      }
    },
  };
}

/** Two-word prompts from held-out lines (their first two words), as a member might type. */
function promptsOf(corpus: Corpus, count: number): string[] {
  const prompts: string[] = [];
  for (const line of corpus.human) {
    const tokens = tokenize(line);
    if (tokens.length >= 4 && wordsOf(tokens.slice(0, 2)).length === 2) prompts.push(tokens.slice(0, 2).join(' '));
    if (prompts.length === count) break;
  }
  return prompts;
}

interface Row {
  label: string;
  measures: TextMeasures;
  /** Mean log10 probability per token under the judge. */
  fluency: number;
  samples: string[];
  /** Bigrams written against the training text's (null for the held-out lines). */
  supply: ReturnType<typeof bigramSupply> | null;
}

function judgeFluency(judge: Model, texts: string[]): number {
  const scored = texts.filter((text) => text.trim().length > 0);
  if (scored.length === 0) return Number.NaN;
  const evaluation = judge.score(scored, { splitSentences: false });
  return evaluation.log10Prob / (evaluation.words + evaluation.sentences);
}

function runSystem(
  system: System,
  corpus: Corpus,
  prompts: string[],
  copies: Set<string>,
  judge: Model,
  lines: string[],
): Row {
  const outputs: Output[] = [];
  for (let i = 0; i < OUTPUTS; i++) {
    const prompt = i % 2 === 1 ? prompts[(i >> 1) % prompts.length] : null;
    outputs.push(system.generate(prompt, 1000 + i));
  }
  const texts = outputs.map((o) => o.text);
  return {
    label: system.label,
    measures: measureTexts(
      texts,
      corpus.language,
      outputs.map((o) => o.cut),
      copies,
    ),
    fluency: judgeFluency(judge, texts),
    samples: pickSamples(texts),
    supply: bigramSupply(lines, texts),
  };
}

function pickSamples(texts: string[]): string[] {
  const picked: string[] = [];
  for (let i = 0; i < texts.length && picked.length < SAMPLES; i += Math.max(1, Math.floor(texts.length / SAMPLES)))
    picked.push(texts[i]);
  return picked;
}

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`);

function printTable(title: string, rows: Row[], human: Row): void {
  console.log(`\n### ${title}\n`);
  console.log(
    '| system | < 4 words | repeat | broken pair | unbalanced quotes | starts , . ; : ! ? | distinct-2 | unseen bigrams | copied line | fluency (log10/token) | ends .!? | mean words | empty |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of [...rows, human]) {
    const m = row.measures;
    console.log(
      `| ${row.label} | ${pct(m.underFourWords)} | ${pct(m.immediateRepeat)} | ${pct(m.brokenPair)} | ${pct(m.unbalanced)} | ${pct(m.markStart)} | ${m.distinct2.toFixed(2)} | ${row.supply === null ? 'n/a' : pct(row.supply.unseen)} | ${pct(m.copied)} | ${row.fluency.toFixed(3)} | ${pct(m.sentenceEnd)} | ${m.meanWords.toFixed(1)} | ${pct(m.empty)} |`,
    );
  }
  const ourRow = rows.find((row) => row.label === 'ours (defaults)');
  if (ourRow !== undefined) {
    console.log(`\ntargets (ours at the defaults): ${targets(ourRow, human).join(' · ')}`);
    const supply = ourRow.supply!;
    console.log(
      `bigram supply: the training text has ${supply.trainingDistinct.toLocaleString('en')} distinct bigrams; written with only seen bigrams, these outputs could reach distinct-2 ${supply.bound.toFixed(2)} at most, and about ${supply.uniform.toFixed(2)} as independent calls (uniform draws; ${supply.independent.toFixed(2)} drawn by training frequency)`,
    );
  }
  for (const row of rows) {
    console.log(`\n${row.label}:`);
    for (const text of row.samples) console.log(`  - ${text.length > 0 ? text : '(empty)'}`);
  }
}

/** The generation issue's targets, each as pass/fail with the figure. */
function targets(row: Row, human: Row): string[] {
  const m = row.measures;
  const h = human.measures;
  const check = (name: string, ok: boolean, figure: string) => `${ok ? 'ok' : 'MISS'} ${name} ${figure}`;
  return [
    check(
      'short',
      m.underFourWords <= Math.max(0.05, h.underFourWords),
      `${pct(m.underFourWords)} ≤ ${pct(Math.max(0.05, h.underFourWords))}`,
    ),
    check(
      'repeat',
      m.immediateRepeat <= h.immediateRepeat + 0.02,
      `${pct(m.immediateRepeat)} ≤ ${pct(h.immediateRepeat + 0.02)}`,
    ),
    check('broken', m.brokenPair <= h.brokenPair + 0.05, `${pct(m.brokenPair)} ≤ ${pct(h.brokenPair + 0.05)}`),
    check('distinct-2', m.distinct2 >= 0.75, `${m.distinct2.toFixed(2)} ≥ 0.75`),
    check('copies', m.copied <= 0.1, `${pct(m.copied)} ≤ 10 %`),
    check(
      'fluency',
      row.fluency >= human.fluency - 0.15,
      `${row.fluency.toFixed(3)} ≥ ${(human.fluency - 0.15).toFixed(3)}`,
    ),
  ];
}

async function benchCorpus(corpus: Corpus, sizes: number[]): Promise<void> {
  const judge = trainModel(corpus.judge, { maxPatternLength: 5, embeddingDim: 0 });
  const humanLines = corpus.human.slice(0, OUTPUTS);
  const humanRow: Row = {
    label: 'people (held-out lines)',
    measures: measureTexts(humanLines, corpus.language, [], null),
    fluency: judgeFluency(judge, humanLines),
    samples: [],
    supply: null,
  };
  const prompts = promptsOf(corpus, OUTPUTS / 2);
  for (const size of sizes) {
    const lines = firstBytes(corpus.pool, size);
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);
    if (size > bytes * 1.05 && size !== sizes[0]) continue; // the pool is smaller than this size
    const copies = new Set<string>();
    for (const line of lines) {
      copies.add(normalized(line));
      for (const sentence of splitSentences(line)) copies.add(normalized(sentence));
    }
    const model = train(lines);
    const systems = values.ablation
      ? [ours(model), ...ABLATIONS.map(([label, changed]) => ours(model, { changed, label: `defaults, ${label}` }))]
      : [
          ours(model),
          ours(model, { alone: true }),
          ours(model, { exact: true }),
          await markovStrings(lines),
          await markovChains(lines),
        ];
    const rows = systems.map((system) => runSystem(system, corpus, prompts, copies, judge, lines));
    const kb = bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(0)} KB`;
    printTable(
      `${corpus.name} (${corpus.language}), ${kb} of training text, ${lines.length} lines, ${OUTPUTS} outputs`,
      rows,
      humanRow,
    );
  }
}

/**
 * Speed: /generate of 40 words at the defaults (every candidate walk included) on the order-5
 * model of Brown's training split, in process; the bound is 5 ms at the 99th percentile.
 */
function benchSpeed(): void {
  const lines = brown().pool.concat(brown().judge);
  const model = train(lines);
  const prompts = ['The', 'He said', 'In the', 'It was a', ''];
  for (let i = 0; i < 200; i++) model.generate({ seed: i, maxLength: MAX_LENGTH }); // warm-up
  // The defaults as /generate without a seed runs them: with the memory of the texts before.
  for (const [label, options] of [
    ['defaults', { recent: new RecentPhrases() }],
    ['--exact', { sampling: 'exact' as const }],
  ] as const) {
    const times: number[] = [];
    let tokens = 0;
    for (let i = 0; i < 2000; i++) {
      const started = performance.now();
      const result = model.generate({
        ...options,
        seed: 5000 + i,
        maxLength: MAX_LENGTH,
        prompt: prompts[i % prompts.length] || undefined,
      });
      times.push(performance.now() - started);
      tokens += result.tokens;
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
    const total = times.reduce((sum, t) => sum + t, 0);
    console.log(
      `speed (${label}): Brown order 5, ${model.stats.patterns.toLocaleString('en')} patterns, max_length ${MAX_LENGTH}: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms, ${(tokens / (total / 1000) / 1e3).toFixed(0)} k tokens/s, mean ${(tokens / times.length).toFixed(1)} tokens`,
    );
  }
}

const corpora: (() => Corpus)[] = [
  () => sample('en-stories.txt'),
  () => sample('es-cuentos.txt'),
  chat,
  brown,
  spanish,
];
console.log(
  `# bench:generation — ${OUTPUTS} outputs per row, max_length ${MAX_LENGTH}, half with a two-word prompt${values.image === true ? ', ours from the model image' : ''}`,
);
if (values.corpus === undefined || values.corpus === 'speed') benchSpeed();
for (const load of corpora) {
  const corpus = load();
  if (corpus.pool.length === 0) continue;
  if (values.corpus !== undefined && corpus.name !== values.corpus) continue;
  await benchCorpus(corpus, corpus.name.startsWith('sample') ? [Number.POSITIVE_INFINITY] : SIZES);
}
