// npm run bench:image — the model image (src/lm/image/) against the load path it replaces
// (decoding the model file), in one run, on Brown at order 5 (min-frequency 1) and on the
// issue's other texts. Prints tables; not a timed test. Figures, each as a ratio where a
// baseline exists:
//   - load to the first generated word in a fresh process: `ultra generate` of Brown's model
//     minus `ultra generate` of a tiny one, whole processes, best of 5, with and without the image
//     beside the model (the CLI compiled to plain JavaScript with esbuild, as `npm run build`
//     would run it, so tsx's start-up does not blur the difference);
//   - memory of the loaded model: RSS growth of a fresh process over load + first word, per n-gram,
//     the same after another model was loaded and used (the bot's case), and the peak RSS of a whole
//     process that loads the model and generates its first word minus that of a tiny model's (the
//     issue's measure: it counts the load's transient buffers, not V8's first heap and code);
//   - image and model file bytes per n-gram;
//   - perplexity of the image against the exact model (en: Brown, es: the Spanish prose of
//     bench:generation, chat-like: nlp-corpus), orders 3 and 5, on held-out lines;
//   - generation speed from the image and from the exact model (exact sampling and defaults);
//   - how many models fit in 256 MB and 1 GB of CACHE_BYTES (the cache counts residentBytes),
//     for Brown's model and for a model of 20 KB of text at the product's defaults.
//   npm run bench:image [-- --runs N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decode, decodeImage, encode, encodeImage, RecentPhrases, train, type Model } from '../src/lm/index.js';
import { imagePathFor, modelSource } from '../src/cli/image-file.js';
import { loadBrown } from './brown.js';
import { bundle, root } from './bundle.js';
import { chat, firstBytes, spanish } from './generation-corpora.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Math.max(1, Number(values.runs));
const MB = 1024 * 1024;

const cli = bundle('src/cli/main.ts', 'bench-image-ultra.mjs');
const child = bundle('bench/image-child.ts', 'bench-image-child.mjs');

const scratch = mkdtempSync(join(tmpdir(), 'bench-image-'));
const brown = loadBrown();
const started = performance.now();
const big = train(brown.train, { maxPatternLength: 5, minFrequency: 1 });
console.log(
  `Brown order 5: ${big.stats.patterns.toLocaleString('en')} n-grams, trained in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
const bigPath = join(scratch, 'brown.ulm');
const bigBytes = encode(big, 0);
writeFileSync(bigPath, bigBytes);
const imageStarted = performance.now();
const bigImage = encodeImage(big, modelSource(bigBytes));
const imageMs = performance.now() - imageStarted;
writeFileSync(imagePathFor(bigPath), bigImage);
const tiny = train(readFileSync(join(root, 'data', 'samples', 'en-stories.txt'), 'utf8').split('\n'), {
  maxPatternLength: 5,
});
const tinyPath = join(scratch, 'tiny.ulm');
const tinyBytes = encode(tiny, 0);
writeFileSync(tinyPath, tinyBytes);
writeFileSync(imagePathFor(tinyPath), encodeImage(tiny, modelSource(tinyBytes)));

const node = (args: string[]) => execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
function wholeProcessMs(path: string): number {
  const t = performance.now();
  node([cli, 'generate', path, '--seed', '1', '--max-length', '1']);
  return performance.now() - t;
}
/** Best of RUNS of `ultra generate` for the big and the tiny model, alternating (paired). */
function loadToFirstWord(): { big: number; tiny: number } {
  let bestBig = Infinity;
  let bestTiny = Infinity;
  for (let run = 0; run < RUNS; run++) {
    bestTiny = Math.min(bestTiny, wholeProcessMs(tinyPath));
    bestBig = Math.min(bestBig, wholeProcessMs(bigPath));
  }
  return { big: bestBig, tiny: bestTiny };
}
/** Runs `fn` with the images moved away, so `ultra` decodes the model files (the former path). */
function withoutImages<T>(fn: () => T): T {
  for (const path of [bigPath, tinyPath]) renameSync(imagePathFor(path), `${imagePathFor(path)}.away`);
  try {
    return fn();
  } finally {
    for (const path of [bigPath, tinyPath]) renameSync(`${imagePathFor(path)}.away`, imagePathFor(path));
  }
}
const viaImage = loadToFirstWord();
const viaFile = withoutImages(loadToFirstWord);
const imageLoad = viaImage.big - viaImage.tiny;
const fileLoad = viaFile.big - viaFile.tiny;

interface ChildFigures {
  loadedMs: number;
  firstWordMs: number;
  rssGrowth: number;
  peakRss: number;
  patterns: number;
  memoryBytes: number;
  residentBytes: number;
}
function childFigures(mode: 'file' | 'image', warmUp?: string, path = bigPath): ChildFigures {
  const runs: ChildFigures[] = [];
  const args = ['--expose-gc', child, mode, path, ...(warmUp === undefined ? [] : [warmUp])];
  for (let run = 0; run < Math.min(RUNS, 3); run++) runs.push(JSON.parse(node(args)) as ChildFigures);
  // The median run by RSS growth (another process's memory pressure moves it both ways).
  runs.sort((a, b) => a.rssGrowth - b.rssGrowth);
  const median = runs[runs.length >> 1];
  return {
    ...median,
    loadedMs: Math.min(...runs.map((r) => r.loadedMs)),
    firstWordMs: Math.min(...runs.map((r) => r.firstWordMs)),
    peakRss: Math.min(...runs.map((r) => r.peakRss)),
  };
}
const fileChild = childFigures('file');
const imageChild = childFigures('image');
// The same after another model was loaded and used in the process (the bot's case: what one more
// loaded model adds, without the heap and compiled code any first model brings).
const fileWarm = childFigures('file', tinyPath);
const imageWarm = childFigures('image', tinyPath);
// Peak RSS of a whole process with Brown's model minus one with the tiny model (least of the runs).
const filePeak = fileChild.peakRss - childFigures('file', undefined, tinyPath).peakRss;
const imagePeak = imageChild.peakRss - childFigures('image', undefined, tinyPath).peakRss;
const patterns = big.stats.patterns;

const ratio = (now: number, before: number) => `${(now / before).toFixed(2)}×`;
const f1 = (x: number) => x.toFixed(1);
console.log('\n## Brown order 5 (min-frequency 1)\n');
console.log('| figure | model file (former load path) | model image | ratio | target |');
console.log('|---|---|---|---|---|');
console.log(
  `| load to first word, fresh process (whole \`ultra generate\` minus a tiny model's, best of ${RUNS}), ms | ${f1(fileLoad)} | ${f1(imageLoad)} | ${ratio(imageLoad, fileLoad)} | ≤ 60 ms |`,
);
console.log(
  `| in process: read + load + first word, ms (best of ${Math.min(RUNS, 3)}) | ${f1(fileChild.firstWordMs)} | ${f1(imageChild.firstWordMs)} | ${ratio(imageChild.firstWordMs, fileChild.firstWordMs)} | |`,
);
console.log(
  `| memory of the loaded model, RSS growth per n-gram, bytes, fresh process | ${f1(fileChild.rssGrowth / patterns)} | ${f1(imageChild.rssGrowth / patterns)} | ${ratio(imageChild.rssGrowth, fileChild.rssGrowth)} | ≤ 5 |`,
);
console.log(
  `| the same, in a process that loaded and used another model first (the bot's) | ${f1(fileWarm.rssGrowth / patterns)} | ${f1(imageWarm.rssGrowth / patterns)} | ${ratio(imageWarm.rssGrowth, fileWarm.rssGrowth)} | ≤ 5 |`,
);
console.log(
  `| peak RSS of a whole process (load + first word) minus a tiny model's, per n-gram | ${f1(filePeak / patterns)} | ${f1(imagePeak / patterns)} | ${ratio(imagePeak, filePeak)} | ≤ 5 |`,
);
console.log(
  `| what the cache counts (residentBytes) per n-gram | ${f1(fileChild.residentBytes / patterns)} | ${f1(imageChild.residentBytes / patterns)} | ${ratio(imageChild.residentBytes, fileChild.residentBytes)} | |`,
);
console.log(
  `| typed arrays the cache counts (memoryBytes) per n-gram | ${f1(fileChild.memoryBytes / patterns)} | ${f1(imageChild.memoryBytes / patterns)} | ${ratio(imageChild.memoryBytes, fileChild.memoryBytes)} | |`,
);
console.log(
  `| file bytes per n-gram (model file / image file) | ${(bigBytes.length / patterns).toFixed(2)} | ${(bigImage.length / patterns).toFixed(2)} | | ≤ 2.5 / ≤ 5 |`,
);
console.log(`| file size, MB | ${(bigBytes.length / 1e6).toFixed(2)} | ${(bigImage.length / 1e6).toFixed(2)} | | |`);
console.log(`\nWriting the image (encodeImage, in the training worker): ${imageMs.toFixed(0)} ms.`);

// Perplexity of the image against the exact model, on held-out lines.
console.log('\n## Perplexity of the image against exact modified Kneser-Ney (held-out lines)\n');
console.log('| text | order | n-grams | exact | image | relative delta | target |');
console.log('|---|---|---|---|---|---|---|');
const spanishCorpus = spanish();
const chatCorpus = chat();
const texts: { name: string; trainLines: string[]; test: string[] }[] = [
  { name: 'en: Brown', trainLines: brown.train, test: brown.test },
  { name: 'es: Spanish prose', trainLines: spanishCorpus.pool, test: spanishCorpus.human },
  { name: 'chat-like: nlp-corpus', trainLines: chatCorpus.pool, test: chatCorpus.human },
];
let worstDelta = 0;
for (const text of texts) {
  for (const order of [3, 5]) {
    const exact =
      text.name.startsWith('en') && order === 5
        ? big
        : train(text.trainLines, { maxPatternLength: order, embeddingDim: 0 });
    const image = decodeImage(encodeImage(exact, 'x'));
    const a = exact.score(text.test).perplexity;
    const b = image.score(text.test).perplexity;
    const delta = Math.abs(b / a - 1);
    worstDelta = Math.max(worstDelta, delta);
    console.log(
      `| ${text.name} | ${order} | ${exact.stats.patterns.toLocaleString('en')} | ${a.toFixed(4)} | ${b.toFixed(4)} | ${delta.toExponential(1)} | ≤ 0.5 % |`,
    );
  }
}

// Generation speed, in process, Brown order 5: returned tokens per second, or (`drawn`) the
// tokens of every walk a call drew (the natural sampler draws several and returns the best).
// `recent`: successive calls with a memory of recent texts, as a server's /generate without a
// seed makes them (a fresh memory per measurement; it draws up to 16 walks while the best repeats).
function tokensPerSecond(model: Model, exact: boolean, drawn = false, remember = false): number {
  let tokens = 0;
  const recent = remember ? new RecentPhrases() : undefined;
  const t = performance.now();
  for (let seed = 0; seed < 2000; seed++) {
    const result = model.generate({
      seed,
      maxLength: 40,
      ...(exact ? { sampling: 'exact' as const } : {}),
      ...(recent ? { recent } : {}),
    });
    tokens += drawn ? result.drawnTokens : result.tokens;
  }
  return tokens / ((performance.now() - t) / 1000);
}
const exactModel = decode(bigBytes, { counts: false });
const imageModel = decodeImage(bigImage);
const recentExact = decode(bigBytes, { counts: false });
const recentImage = decodeImage(bigImage);
// Warm both up once, then measure.
tokensPerSecond(exactModel, true);
tokensPerSecond(imageModel, true);
tokensPerSecond(exactModel, false);
tokensPerSecond(imageModel, false);
console.log('\n## Generation, Brown order 5, 2,000 texts of up to 40 tokens\n');
console.log('| sampling | exact model (decoded file), k tokens/s | image, k tokens/s | ratio | target |');
console.log('|---|---|---|---|---|');
for (const [label, exact, drawn, remember, target] of [
  ['exact (`--exact`)', true, false, false, '≥ 1,000 k'],
  ['product defaults (natural), returned tokens', false, false, false, '≥ 500 k'],
  ['product defaults (natural), tokens of all walks drawn', false, true, false, ''],
  ['the same with a memory of recent texts (/generate without a seed), returned tokens', false, false, true, ''],
  ['the same with a memory of recent texts, tokens of all walks drawn', false, true, true, ''],
] as const) {
  // With a memory, a call draws up to 16 walks, which rank and keep more of the models' runs: those
  // rows use models of their own, so the resident bytes below are the same 200 texts' as before.
  const a = tokensPerSecond(remember ? recentExact : exactModel, exact, drawn, remember);
  const b = tokensPerSecond(remember ? recentImage : imageModel, exact, drawn, remember);
  console.log(`| ${label} | ${(a / 1e3).toFixed(0)} | ${(b / 1e3).toFixed(0)} | ${ratio(b, a)} | ${target} |`);
}

// What fits in the cache budget (residentBytes, what the manager's cache counts) once a model has
// served /generate for a while: 200 texts, after which a small model's draw tables have settled.
function residentAfterUse(model: Model): number {
  model.generate({ seed: 1, prompt: 'the' });
  for (let seed = 2; seed <= 200; seed++) model.generate({ seed });
  return model.residentBytes();
}
const small = train(firstBytes(chatCorpus.pool, 20_000));
const smallBytes = encode(small, 0);
const smallImage = encodeImage(small, 'x');
const fits = [
  { label: 'Brown order 5', exact: residentAfterUse(exactModel), image: residentAfterUse(imageModel) },
  {
    label: `20 KB of chat-like text, product defaults (${small.stats.patterns.toLocaleString('en')} n-grams; files ${smallBytes.length} / ${smallImage.length} bytes)`,
    exact: residentAfterUse(decode(smallBytes, { counts: false })),
    image: residentAfterUse(decodeImage(smallImage)),
  },
];
console.log('\n## Models that fit in CACHE_BYTES (resident bytes after 200 generations)\n');
console.log(
  '| model | resident KB, decoded file / image | in 256 MB, decoded file / image | in 1 GB, decoded file / image | target |',
);
console.log('|---|---|---|---|---|');
for (const row of fits) {
  const n = (budget: number, bytes: number) => Math.floor(budget / bytes).toLocaleString('en');
  const target = row.label.startsWith('20 KB') ? '1,000 in 256 MB' : '';
  console.log(
    `| ${row.label} | ${(row.exact / 1024).toFixed(0)} / ${(row.image / 1024).toFixed(0)} | ${n(256 * MB, row.exact)} / ${n(256 * MB, row.image)} | ${n(1024 * MB, row.exact)} / ${n(1024 * MB, row.image)} | ${target} |`,
  );
}
console.log(`\nWorst perplexity delta: ${(worstDelta * 100).toExponential(1)} %.`);
rmSync(scratch, { recursive: true, force: true });
