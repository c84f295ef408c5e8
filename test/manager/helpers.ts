// Shared set-up for the manager tests: a fresh data directory per test and tiny corpora whose
// vocabularies do not overlap, so a generated word tells which guild's model produced it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';
import {
  ModelManager,
  defaultManagerConfig,
  type ManagerConfig,
  type TrainingSource,
} from '../../src/manager/index.js';

export const ana = { id: '100000000000000001', name: 'Ana' };
export const bob = { id: '100000000000000002', name: 'Bob' };

/** Three corpora with disjoint words (besides none at all): Spanish animals, English weather, numbers in German. */
export const CORPORA = {
  es: [
    'el gato come pescado en la cocina',
    'el perro come carne en el jardín',
    'la niña lee un libro en la cocina',
    'el niño juega con el perro en el jardín',
    'el gato duerme en la cama',
  ],
  en: [
    'rain falls over grey hills today',
    'cold wind blows across wet fields',
    'sunshine warms quiet green meadows',
    'storm clouds gather above distant mountains',
    'fog covers every silent harbour tonight',
  ],
  de: [
    'eins zwei drei vier fünf',
    'sechs sieben acht neun zehn',
    'elf zwölf dreizehn vierzehn',
    'zwanzig dreißig vierzig fünfzig',
    'hundert tausend million milliarde',
  ],
} as const;

export const WORDS = Object.fromEntries(
  Object.entries(CORPORA).map(([language, lines]) => [language, new Set(lines.flatMap((line) => line.split(' ')))]),
) as Record<keyof typeof CORPORA, Set<string>>;

export interface TestDirs {
  root: string;
  dataDir: string;
  modelsDir: string;
  databasePath: string;
  cleanup: () => void;
}

export function makeDirs(prefix = 'ultra-manager-'): TestDirs {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, 'data');
  return {
    root,
    dataDir,
    modelsDir: join(dataDir, 'models'),
    databasePath: join(dataDir, 'ultraefficient.sqlite'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function testConfig(dirs: TestDirs, overrides: Partial<ManagerConfig> = {}): ManagerConfig {
  let clock = Date.UTC(2024, 11, 1, 14, 30, 22);
  return defaultManagerConfig(dirs.dataDir, {
    // Each call advances one second: file stamps differ and stay deterministic.
    now: () => (clock += 1000),
    ...overrides,
  });
}

export function openManager(dirs: TestDirs, overrides: Partial<ManagerConfig> = {}): Promise<ModelManager> {
  return ModelManager.open(testConfig(dirs, overrides));
}

/** Writes a corpus file and returns it as a training source. */
export function corpusSource(dirs: TestDirs, name: string, lines: readonly string[]): TrainingSource {
  const path = join(dirs.root, name);
  const text = lines.join('\n') + '\n';
  writeFileSync(path, text);
  return { name, size: Buffer.byteLength(text), path };
}

/** Small, fast models: order 3, tiny embeddings. */
export const TINY = { maxPatternLength: 3, embeddingDim: 4 } as const;

/** A second connection to the manager's database, as another process would open it. */
export function rawDatabase(dirs: TestDirs): Database.Database {
  return new Database(dirs.databasePath);
}

/** The UserError a promise rejects with (anything else is rethrown; fulfilment fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
