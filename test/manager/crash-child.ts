// The process the crash-safety test kills. It opens a manager on the given data directory and
// runs train/save/delete/load/generate on one guild, forever, reporting on stdout when each
// operation begins and when it returned, until it is SIGKILLed.
//
//   node crash-child.mjs <dataDir> <corpusFile> <seed> <killAtFileOp>
//
// killAtFileOp = 0: the parent kills it after a random delay. killAtFileOp = n > 0: it sends
// itself SIGKILL just before or just after (by seed parity) its n-th file-system step (open,
// link, rename, unlink — opening the database and reconcile included), which puts the kills
// exactly between a file and the transaction that names it, where timing alone rarely lands.
import { statSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { isUserError } from '../../src/errors.js';
import { ModelManager, defaultManagerConfig } from '../../src/manager/index.js';

const [dataDir, corpusFile, seedText, killAtText] = process.argv.slice(2);
if (!dataDir || !corpusFile) throw new Error('usage: crash-child <dataDir> <corpusFile> <seed> <killAtFileOp>');
const seed = Number(seedText ?? 1) >>> 0 || 1;
const killAt = Number(killAtText ?? 0);

if (killAt > 0) {
  // Node keeps the ESM named exports of builtins in step with the CommonJS object once
  // syncBuiltinESMExports() runs, so the store's `import { link } from 'node:fs/promises'` sees these.
  const fsPromises = createRequire(import.meta.url)('node:fs/promises') as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  const before = seed % 2 === 0;
  let steps = 0;
  for (const name of ['open', 'link', 'rename', 'unlink']) {
    const original = fsPromises[name];
    fsPromises[name] = async (...args: unknown[]) => {
      const last = ++steps === killAt;
      if (last && before) process.kill(process.pid, 'SIGKILL');
      const result = await original(...args);
      if (last) process.kill(process.pid, 'SIGKILL');
      return result;
    };
  }
  syncBuiltinESMExports();
}

let state = seed;
const random = () => {
  // xorshift32: deterministic from the seed, no dependency.
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 4294967296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const GUILD = 'crash';
const NAMES = ['uno', 'dos', 'tres'] as const;
const user = { id: '100000000000000001', name: 'Ana' };
const say = (line: string) => process.stdout.write(`${line}\n`);

const manager = await ModelManager.open(defaultManagerConfig(dataDir, { maxQueuedJobs: 0 }));
const source = { name: 'corpus.txt', size: statSync(corpusFile).size, path: corpusFile };
say('ready');

type Op = 'train' | 'save' | 'delete' | 'load' | 'generate';
const OPS: readonly Op[] = [
  'train',
  'save',
  'save',
  'save',
  'save',
  'delete',
  'delete',
  'delete',
  'load',
  'load',
  'generate',
];

for (;;) {
  const op = pick(OPS);
  const name = pick(NAMES);
  say(`begin ${op} ${name}`);
  try {
    switch (op) {
      case 'train':
        await manager.train(GUILD, user, [source], { maxPatternLength: 3, embeddingDim: 4 }, 'new');
        say('done train');
        break;
      case 'save': {
        const saved = await manager.save(GUILD, user, name);
        // Versions beyond MAX_VERSIONS_PER_MODEL that this save removed (issue 17), `-` for none.
        say(`done save ${saved.name} ${saved.version} ${saved.prunedVersions?.join(',') || '-'}`);
        break;
      }
      case 'delete': {
        const versions = manager.list(GUILD).find((entry) => entry.name === name)?.versions ?? [];
        const version = versions.length > 1 && random() < 0.5 ? pick(versions).version : undefined;
        const { deleted } = await manager.delete(GUILD, name, version);
        say(`done delete ${name} ${deleted.map((info) => info.version).join(',')}`);
        break;
      }
      case 'load': {
        const loaded = await manager.load(GUILD, name);
        say(`done load ${loaded.name} ${loaded.version}`);
        break;
      }
      case 'generate':
        await manager.generate(GUILD, { maxLength: 8, seed: 1 });
        say('done generate');
        break;
    }
  } catch (error) {
    if (!isUserError(error)) throw error;
    say(`error ${op} ${error.code}`);
  }
}
