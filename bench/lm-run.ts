// One benchmark configuration in its own process, so peak RSS belongs to it alone.
// Prints one JSON object. Driven by bench/lm.ts, which writes the Brown split to two text files
// (one sentence per line) and runs this file compiled to plain JavaScript (as `npm run build`
// and the bot's training worker run it); runnable by hand too:
// npx tsx bench/lm-run.ts
// '{"kind":"ultra","phase":"train","trainPath":"/tmp/brown-train.txt","testPath":"/tmp/brown-test.txt","modelPath":"/tmp/m.ulm","label":"x","order":5,"minFrequency":1,"maxPatterns":0,"sentences":1000}'
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type ChainModule from 'markov-chains';
import { decode, encode, train } from '../src/lm/index.js';

type Config = { trainPath: string; testPath: string } & (
  | { kind: 'touch'; label: string }
  | { kind: 'reload'; label: string; modelPath: string; loads: number; reuse?: boolean }
  | {
      kind: 'ultra';
      phase: 'train' | 'use';
      modelPath: string;
      label: string;
      order: number;
      minFrequency: number;
      maxPatterns: number;
      sentences: number;
    }
  | { kind: 'markov-strings'; label: string; stateSize: number; sentences: number; capSeconds: number }
  | { kind: 'markov-chains'; label: string; stateSize: number; sentences: number; capSeconds: number }
);

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
// The training text as a user's upload arrives: one string, one sentence per line.
const trainText = readFileSync(config.trainPath, 'utf8');
const lines = (text: string) => text.split('\n').filter((line) => line.length > 0);
const brown = {
  get train() {
    return lines(trainText);
  },
  test: lines(readFileSync(config.testPath, 'utf8')),
  trainBytes: Buffer.byteLength(trainText, 'utf8'),
};
const baselineRss = process.memoryUsage().rss;
const mb = (bytes: number) => bytes / 1e6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Training and use run in separate processes (phase 'train' writes the model file, phase 'use'
 * reads it), so each peak RSS is that phase's own: the training figure is not inflated by a
 * second, loaded copy of the model.
 */
function runUltraTrain(c: Extract<Config, { kind: 'ultra' }>) {
  const started = performance.now();
  const model = train(
    trainText,
    { maxPatternLength: c.order, minFrequency: c.minFrequency, maxPatterns: c.maxPatterns, validation: 0 },
    { now: () => performance.now(), seed: 1 },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  const file = encode(model, 0);
  writeFileSync(c.modelPath, file);
  const stats = model.stats;
  // int8 values plus one float32 scale per row.
  const embeddingBytes = stats.embeddings * (stats.embeddingDim + 4);
  return {
    trainSeconds,
    trainMBps: mb(brown.trainBytes) / trainSeconds,
    ngrams: stats.patterns,
    patternsByOrder: stats.patternsByOrder,
    fileBytes: file.length,
    bytesPerNgram: file.length / stats.patterns,
    countBytesPerNgram: (file.length - embeddingBytes) / stats.patterns,
    memoryBytes: stats.memoryBytes,
  };
}

function runUltraUse(c: Extract<Config, { kind: 'ultra' }>) {
  const file = readFileSync(c.modelPath);
  const loadTimes: number[] = [];
  // The first load of a fresh process (what the bot's loader does first after a start): the
  // compiler is cold and every array is fresh memory. Then the median of five more. Loaded as the
  // bot and `ultra generate` load a model, to generate and score: without its raw counts.
  const firstStarted = performance.now();
  let loaded = decode(file, { counts: false });
  const firstLoadMs = performance.now() - firstStarted;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    loaded = decode(file, { counts: false });
    loadTimes.push(performance.now() - t);
  }
  const evaluation = loaded.score(brown.test);
  // Generation in steady state: a warm-up of 1,000 sentences with other seeds (the compiler's
  // tiers, the explicit path's first visits of common states), then the median of five timed runs
  // of the same `sentences` sentences.
  const timedSentences = (options: { temperature?: number; topP?: number }) => {
    for (let i = 0; i < 1000; i++) loaded.generate({ ...options, seed: 1_000_000 + i, maxLength: 200 });
    const runs: { ms: number; tokens: number }[] = [];
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      let tokens = 0;
      for (let i = 0; i < c.sentences; i++) tokens += loaded.generate({ ...options, seed: i, maxLength: 200 }).tokens;
      runs.push({ ms: performance.now() - t, tokens });
    }
    return runs.sort((a, b) => a.ms - b.ms)[2];
  };
  const exact = timedSentences({});
  const explicit = timedSentences({ temperature: 0.7, topP: 0.95 });
  const generateMs = exact.ms;
  const tokens = exact.tokens;
  const generateExplicitMs = explicit.ms;
  const tokensExplicit = explicit.tokens;
  return {
    firstLoadMs,
    loadMs: median(loadTimes),
    loadMBps: mb(file.length) / (median(loadTimes) / 1000),
    perplexity: evaluation.perplexity,
    perplexityExclOov: evaluation.perplexityExcludingOov,
    oov: evaluation.oov,
    generateMs,
    generatedTokens: tokens,
    tokensPerSecond: tokens / (generateMs / 1000),
    generateExplicitMs,
    tokensPerSecondExplicit: tokensExplicit / (generateExplicitMs / 1000),
  };
}

/** Generates until `sentences` are done or the cap runs out; extrapolates in the latter case. */
function timedGeneration(sentences: number, capSeconds: number, generateOne: () => number) {
  const t = performance.now();
  let done = 0;
  let tokens = 0;
  while (done < sentences && performance.now() - t < capSeconds * 1000) {
    tokens += generateOne();
    done++;
  }
  const ms = performance.now() - t;
  return {
    generateMs: done === sentences ? ms : (ms / Math.max(done, 1)) * sentences,
    generatedSentences: done,
    extrapolated: done < sentences,
    generatedTokens: tokens,
    tokensPerSecond: tokens / (ms / 1000),
  };
}

// The Markov libraries are imported only by their own runs, so the pattern model's processes do
// not carry them in their peak RSS. Both are CommonJS; markov-strings puts its class on `default`,
// markov-chains may.
async function runMarkovStrings(c: Extract<Config, { kind: 'markov-strings' }>) {
  const Markov = (await import('markov-strings')).default.default;
  const started = performance.now();
  const markov = new Markov({ stateSize: c.stateSize });
  markov.addData(brown.train);
  const buildSeconds = (performance.now() - started) / 1000;
  const generation = timedGeneration(c.sentences, c.capSeconds, () => {
    try {
      return markov.generate({ maxTries: 100 }).string.split(' ').length;
    } catch {
      return 0;
    }
  });
  return { trainSeconds: buildSeconds, trainMBps: mb(brown.trainBytes) / buildSeconds, ...generation };
}

async function runMarkovChains(c: Extract<Config, { kind: 'markov-chains' }>) {
  const imported = (await import('markov-chains')).default as unknown as {
    default?: typeof ChainModule;
  } & typeof ChainModule;
  const Chain: typeof ChainModule = imported.default ?? imported;
  const started = performance.now();
  const chain = new Chain(
    brown.train.map((line) => line.split(' ')),
    { stateSize: c.stateSize },
  );
  const buildSeconds = (performance.now() - started) / 1000;
  const generation = timedGeneration(c.sentences, c.capSeconds, () => chain.walk().length);
  return { trainSeconds: buildSeconds, trainMBps: mb(brown.trainBytes) / buildSeconds, ...generation };
}

/**
 * The machine's price of fresh memory: milliseconds to write 100 MB of newly allocated typed
 * arrays (first touch: the kernel maps and zeroes every page). Loading a model in a new process
 * writes ~32 bytes per n-gram into fresh arrays.
 */
function runTouch() {
  const arrays = Array.from({ length: 4 }, () => new Float64Array(25e6 / 8));
  const t = performance.now();
  for (const array of arrays) array.fill(1);
  return { firstTouchMsPer100MB: performance.now() - t };
}

/**
 * Loads after the previous model was dropped and collected (run with --expose-gc). bench/lm.ts
 * starts this process with glibc keeping freed memory in its heap, so each load after the first
 * writes into pages already mapped and what is left is the load's own work (the gap to the "use"
 * phase's figures is the price of fresh memory), and again with transparent huge pages, and with
 * glibc's defaults, each load decoding into the buffers of the model before it (the manager's reuse).
 */
function runReload(c: Extract<Config, { kind: 'reload' }>) {
  const file = readFileSync(c.modelPath);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('reload needs node --expose-gc');
  const times: number[] = [];
  let model: ReturnType<typeof decode> | null = null;
  for (let i = 0; i < c.loads; i++) {
    // With `reuse`, the dropped model's buffers are offered to the next load, as the bot's manager does.
    const spare = c.reuse && model !== null ? model.arrayBuffers() : [];
    model = null;
    gc();
    const t = performance.now();
    model = decode(file, { spare, counts: false });
    times.push(performance.now() - t);
  }
  const recycled = times.slice(1);
  return {
    fileBytes: file.length,
    reloadMedianMs: median(recycled),
    reloadMinMs: Math.min(...recycled),
    reloaded: model !== null,
  };
}

const result =
  config.kind === 'touch'
    ? runTouch()
    : config.kind === 'reload'
      ? runReload(config)
      : config.kind === 'ultra'
        ? config.phase === 'train'
          ? runUltraTrain(config)
          : runUltraUse(config)
        : config.kind === 'markov-strings'
          ? await runMarkovStrings(config)
          : await runMarkovChains(config);
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ ...config, ...result, peakRssBytes, corpusRssBytes: baselineRss, trainBytes: brown.trainBytes })}\n`,
);
