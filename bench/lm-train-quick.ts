// Quick measurements of the pattern model on the Brown training split, one configuration per
// run so peak RSS belongs to it:  npx tsx bench/lm-train-quick.ts ORDER [MIN_FREQUENCY] [EMBEDDING_DIM]
import { performance } from 'node:perf_hooks';
import { decode, encode, train } from '../src/lm/index.js';
import { loadBrown } from './brown.js';

const order = Number(process.argv[2] ?? 5);
const minFrequency = Number(process.argv[3] ?? 1);
const embeddingDim = Number(process.argv[4] ?? 32);
const brown = loadBrown();
const baselineRss = process.memoryUsage().rss;
const phases: string[] = [];
const t0 = performance.now();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const cpu0 = cpu();
const model = train(
  brown.train,
  { maxPatternLength: order, minFrequency, embeddingDim, splitSentences: false },
  {
    now: () => performance.now(),
    onProgress: (p) => {
      if (phases.at(-1)?.startsWith(p.phase) !== true) phases.push(`${p.phase}@${(performance.now() - t0).toFixed(0)}`);
    },
  },
);
const trainMs = performance.now() - t0;
const trainCpuMs = cpu() - cpu0;
const trainPeakRssMB = Math.round((process.resourceUsage().maxRSS * 1024) / 1e6);
const stats = model.stats;
const t1 = performance.now();
const file = encode(model, 0);
const encodeMs = performance.now() - t1;
const loads: number[] = [];
let loaded = decode(file);
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  loaded = decode(file);
  loads.push(performance.now() - t);
}
const firstGen = performance.now();
loaded.generate({ seed: 0 });
const firstGenerateMs = performance.now() - firstGen;
const t2 = performance.now();
const evaluation = loaded.score(brown.test, { splitSentences: false });
const evalMs = performance.now() - t2;
const t3 = performance.now();
const c3 = cpu();
let tokens = 0;
for (let i = 0; i < 1000; i++) tokens += loaded.generate({ seed: i, maxLength: 200 }).tokens;
const genMs = performance.now() - t3;
const genCpuMs = cpu() - c3;
const t4 = performance.now();
const c4 = cpu();
let tokens2 = 0;
for (let i = 0; i < 1000; i++)
  tokens2 += loaded.generate({ seed: i, maxLength: 200, temperature: 0.8, topP: 0.9 }).tokens;
const gen2Ms = performance.now() - t4;
const gen2CpuMs = cpu() - c4;
const c5 = cpu();
for (let i = 0; i < 3; i++) decode(file);
const loadCpuMs = (cpu() - c5) / 3;
console.log(
  JSON.stringify(
    {
      order,
      minFrequency,
      trainMB: brown.trainBytes / 1e6,
      trainMs: Math.round(trainMs),
      trainMBps: +(brown.trainBytes / 1e6 / (trainMs / 1000)).toFixed(2),
      trainCpuMs: Math.round(trainCpuMs),
      trainPeakRssMB,
      baselineRssMB: Math.round(baselineRss / 1e6),
      phases: phases.join(' '),
      patterns: stats.patterns,
      byOrder: stats.patternsByOrder,
      memoryMB: +(stats.memoryBytes / 1e6).toFixed(1),
      fileBytes: file.length,
      bytesPerPattern: +(file.length / stats.patterns).toFixed(3),
      encodeMs: Math.round(encodeMs),
      loadMs: loads.map((x) => Math.round(x)),
      loadMBps: +(file.length / 1e6 / (Math.min(...loads) / 1000)).toFixed(1),
      loadCpuMs: Math.round(loadCpuMs),
      perplexity: +evaluation.perplexity.toFixed(2),
      perplexityExclOov: +evaluation.perplexityExcludingOov.toFixed(2),
      oov: evaluation.oov,
      evalMs: Math.round(evalMs),
      firstGenerateMs: +firstGenerateMs.toFixed(1),
      gen1000Ms: Math.round(genMs),
      gen1000CpuMs: Math.round(genCpuMs),
      genTokensPerSecond: Math.round(tokens / (genMs / 1000)),
      gen1000NucleusMs: Math.round(gen2Ms),
      gen1000NucleusCpuMs: Math.round(gen2CpuMs),
      nucleusTokensPerCpuSecond: Math.round(tokens2 / (gen2CpuMs / 1000)),
      genTokensPerCpuSecond: Math.round(tokens / (genCpuMs / 1000)),
      peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6),
    },
    null,
    1,
  ),
);
