// One section of the manager benchmark in its own process (so RSS is that section's own).
// Prints one JSON object on its last line. Driven by bench/manager.ts; runnable by hand:
//   npx tsx --expose-gc bench/manager-run.ts '{"section":"event-loop"}'
//   npx tsx --expose-gc bench/manager-run.ts '{"section":"guilds","guilds":1000,"cacheMB":256}'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ModelManager, defaultManagerConfig, type JobProgress } from '../src/manager/index.js';
import { Catalog, ModelFiles, openDatabase, parseModelName } from '../src/store/index.js';
import { loadBrown } from './brown.js';

type Section = { section: 'event-loop' } | { section: 'guilds'; guilds: number; cacheMB: number };

const config = JSON.parse(process.argv[2] ?? '{"section":"event-loop"}') as Section;
const user = { id: '100000000000000001', name: 'bench' };
const root = mkdtempSync(join(tmpdir(), 'ultra-bench-manager-'));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const ms = (ns: number) => ns / 1e6;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function eventLoopSection() {
  const brown = loadBrown();
  const corpus = join(root, 'brown-train.txt');
  writeFileSync(corpus, brown.train.join('\n') + '\n');
  const manager = await ModelManager.open(
    defaultManagerConfig(join(root, 'data'), {
      limits: {
        ...defaultManagerConfig('').limits,
        maxTrainingBytes: 64 * 1024 * 1024,
        maxAttachmentBytes: 64 * 1024 * 1024,
      },
    }),
  );
  // The histogram records the interval between ticks of a `resolution` ms timer: 1 ms means no delay.
  const wholeJob = monitorEventLoopDelay({ resolution: 1 });
  const trainingOnly = monitorEventLoopDelay({ resolution: 1 });
  let trainingStarted = 0;
  let trainingEnded = 0;
  const onProgress = (progress: JobProgress) => {
    const training = !['queued', 'download', 'ingest', 'save'].includes(progress.phase);
    if (training && trainingStarted === 0) {
      trainingStarted = performance.now();
      trainingOnly.enable();
    }
    if (progress.phase === 'save' && trainingEnded === 0) {
      trainingEnded = performance.now();
      trainingOnly.disable();
    }
  };
  wholeJob.enable();
  const started = performance.now();
  const outcome = await manager.train(
    'bench',
    user,
    [{ name: 'brown-train.txt', size: brown.trainBytes, path: corpus }],
    { maxPatternLength: 5 },
    'new',
    onProgress,
  );
  const jobMs = performance.now() - started;
  wholeJob.disable();
  trainingOnly.disable();

  let t = performance.now();
  const saved = await manager.save('bench', user, 'brown_order5');
  const saveMs = performance.now() - t;
  // A fresh manager: the model is in no cache, as after an eviction.
  await manager.close();
  const reopened = await ModelManager.open(defaultManagerConfig(join(root, 'data')));
  t = performance.now();
  await reopened.load('bench', 'brown_order5');
  const evictedLoadMs = performance.now() - t;
  t = performance.now();
  await reopened.load('bench', 'brown_order5');
  const cachedLoadMs = performance.now() - t;
  t = performance.now();
  await reopened.generate('bench', { maxLength: 30, seed: 1 });
  const generateMs = performance.now() - t;
  const cachedBytes = reopened.cacheStats().bytes;
  await reopened.close();
  const reuse = await spareReuse(cachedBytes);
  return {
    section: 'event-loop',
    trainBytes: brown.trainBytes,
    trainLines: brown.train.length,
    jobMs,
    trainingMs: trainingEnded - trainingStarted,
    job: { p50: ms(wholeJob.percentile(50)), p99: ms(wholeJob.percentile(99)), max: ms(wholeJob.max) },
    training: { p50: ms(trainingOnly.percentile(50)), p99: ms(trainingOnly.percentile(99)), max: ms(trainingOnly.max) },
    patterns: outcome.stats.patterns,
    memoryBytes: outcome.stats.memoryBytes,
    fileBytes: saved.bytes,
    saveMs,
    evictedLoadMs,
    cachedLoadMs,
    generateMs,
    ...reuse,
  };
}

/**
 * Two guilds with the order-5 model and a cache budget with room for one: each load evicts the
 * other guild's model and decodes into its buffers (spare-buffers.ts). The first load has no spare and
 * decodes into new memory. Each load comes after 5 s idle, so memory the VM hands back to its host
 * in that time would show.
 */
async function spareReuse(modelBytes: number) {
  const dataDir = join(root, 'data');
  const db = openDatabase(join(dataDir, 'ultraefficient.sqlite'));
  const catalog = new Catalog(db);
  const row = catalog.versionsOf('bench', 'brown_order5')[0];
  const files = new ModelFiles(join(dataDir, 'models'));
  const bytes = (await files.read('bench', row.filename)) as Uint8Array;
  mkdirSync(files.guildDir('bench2'), { recursive: true });
  writeFileSync(files.pathOf('bench2', row.filename), bytes);
  const { id: _id, guildId: _guild, ...copy } = row;
  catalog.commitSave({ ...copy, guildId: 'bench2', createdBy: { ...row.createdBy } }, Date.now());
  db.close();

  const manager = await ModelManager.open(defaultManagerConfig(dataDir, { cacheBytes: Math.ceil(modelBytes * 1.5) }));
  const loads: number[] = [];
  for (const guildId of ['bench', 'bench2', 'bench', 'bench2', 'bench']) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const t = performance.now();
    await manager.load(guildId, 'brown_order5');
    loads.push(performance.now() - t);
  }
  const stats = manager.cacheStats();
  await manager.close();
  const reused = loads.slice(1).sort((a, b) => a - b);
  return {
    firstLoadIdleMs: loads[0],
    reuseLoadMs: (reused[1] + reused[2]) / 2,
    reuseLoadRange: [reused[0], reused[reused.length - 1]],
    spareReuses: stats.spareReuses,
    reuseEvictions: stats.evictions,
    reuseLoads: loads,
  };
}

async function guildsSection(guilds: number, cacheMB: number) {
  const brown = loadBrown();
  const dataDir = join(root, 'data');
  const manager = await ModelManager.open(defaultManagerConfig(dataDir, { cacheBytes: cacheMB * 1024 * 1024 }));
  // A few distinct small models, trained for real (300 Brown sentences each)...
  const distinct = 8;
  const models: { bytes: Buffer; checksum: string; statsJson: string; size: number }[] = [];
  for (let i = 0; i < distinct; i++) {
    const corpus = join(root, `small-${i}.txt`);
    const text = brown.train.slice(i * 300, (i + 1) * 300).join('\n') + '\n';
    writeFileSync(corpus, text);
    await manager.train(
      `seed-${i}`,
      user,
      [{ name: `small-${i}.txt`, size: Buffer.byteLength(text), path: corpus }],
      { maxPatternLength: 3, embeddingDim: 16 },
      'new',
    );
    const info = await manager.save(`seed-${i}`, user, 'small');
    const files = new ModelFiles(join(dataDir, 'models'));
    const bytes = Buffer.from((await files.read(`seed-${i}`, info.filename)) as Uint8Array);
    const db = openDatabase(join(dataDir, 'ultraefficient.sqlite'));
    const row = new Catalog(db).versionsOf(`seed-${i}`, 'small')[0];
    db.close();
    models.push({ bytes, checksum: row.checksum, statsJson: row.statsJson, size: info.stats.memoryBytes });
  }
  // ...copied to many guilds through the store, as if each had trained and saved its own.
  const db = openDatabase(join(dataDir, 'ultraefficient.sqlite'));
  const catalog = new Catalog(db);
  const files = new ModelFiles(join(dataDir, 'models'));
  const name = parseModelName('small');
  db.transaction(() => {
    for (let g = 0; g < guilds; g++) {
      const model = models[g % distinct];
      const guildId = `guild-${g}`;
      const filename = `small_20241201_000000.ulm`;
      mkdirSync(files.guildDir(guildId), { recursive: true });
      writeFileSync(files.pathOf(guildId, filename), model.bytes);
      catalog.commitSave(
        {
          guildId,
          name: name.display,
          nameKey: name.key,
          version: 1,
          filename,
          bytes: model.bytes.length,
          checksum: model.checksum,
          createdAt: Date.now(),
          createdBy: user,
          paramsJson: '{}',
          statsJson: model.statsJson,
          corpusJson: '{}',
        },
        Date.now(),
      );
    }
  })();
  db.close();

  gc();
  const rssBefore = process.memoryUsage().rss;
  const passes: number[][] = [[], []];
  for (const pass of [0, 1]) {
    for (let g = 0; g < guilds; g++) {
      const t = performance.now();
      await manager.generate(`guild-${g}`, { maxLength: 10, seed: g });
      passes[pass].push(performance.now() - t);
    }
  }
  gc();
  const rssAfter = process.memoryUsage().rss;
  const cache = manager.cacheStats();
  await manager.close();
  return {
    section: 'guilds',
    guilds,
    cacheMB,
    modelMemoryKB: models.reduce((sum, model) => sum + model.size, 0) / models.length / 1024,
    modelFileKB: models.reduce((sum, model) => sum + model.bytes.length, 0) / models.length / 1024,
    cachedModels: cache.models,
    cachedMB: cache.bytes / 1024 / 1024,
    budgetMB: cache.budgetBytes / 1024 / 1024,
    evictions: cache.evictions,
    rssBeforeMB: rssBefore / 1e6,
    rssAfterMB: rssAfter / 1e6,
    firstPass: { p50: percentile(passes[0], 50), p99: percentile(passes[0], 99) },
    secondPass: { p50: percentile(passes[1], 50), p99: percentile(passes[1], 99) },
  };
}

try {
  const result =
    config.section === 'event-loop' ? await eventLoopSection() : await guildsSection(config.guilds, config.cacheMB);
  console.log(JSON.stringify(result));
} finally {
  rmSync(root, { recursive: true, force: true });
}
