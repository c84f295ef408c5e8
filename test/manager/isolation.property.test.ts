// Property: under any interleaving of train/save/load/delete/generate across three guilds, no
// guild ever observes another's models. Each guild trains on its own language (disjoint
// vocabularies) and saves names with its own prefix, so a leak shows up as a foreign word in
// generated text, a foreign name in a listing, or a successful load of another guild's name.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import type { ModelManager, TrainingSource } from '../../src/manager/index.js';
import { ana, CORPORA, corpusSource, makeDirs, openManager, TINY, WORDS, type TestDirs } from './helpers.js';

const LANGUAGES = ['es', 'en', 'de'] as const;
const PREFIXES = ['a', 'b', 'c'] as const;
const NAMES = ['uno', 'dos'] as const;

/** Failures any sequence may meet; anything else fails the property. */
const EXPECTED = new Set([
  'ALREADY_TRAINING',
  'NO_TRAINED_MODEL',
  'NO_MODEL_LOADED',
  'MODEL_NOT_FOUND',
  'MODEL_VERSION_NOT_FOUND',
  'QUOTA_MODELS',
]);

type Op =
  | { kind: 'train'; guild: number; mode: 'new' | 'append'; concurrent: boolean }
  | {
      kind: 'save' | 'load' | 'delete';
      guild: number;
      owner: number;
      name: string;
      version: number | undefined;
      concurrent: boolean;
    }
  | { kind: 'generate' | 'observe'; guild: number; concurrent: boolean };

const guild = fc.integer({ min: 0, max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('train' as const),
      guild,
      mode: fc.constantFrom('new' as const, 'append' as const),
      concurrent: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('save' as const, 'load' as const, 'delete' as const),
      guild,
      // Mostly the guild's own names, sometimes another guild's: those must never be found.
      owner: fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: guild }),
      name: fc.constantFrom(...NAMES),
      version: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      concurrent: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('generate' as const, 'observe' as const),
      guild,
      concurrent: fc.boolean(),
    }),
  },
);

let dirs: TestDirs;
let manager: ModelManager;
let run = 0;
// The same three guilds for every run: state left by one run (working models, saved versions)
// is the starting point of the next, which is when leaks between guilds would show.
const guildIds = PREFIXES.map((prefix) => `guild-${prefix}`);
let sources: TrainingSource[];

beforeAll(async () => {
  dirs = makeDirs('ultra-property-');
  // A small cache, so models are evicted and reloaded from their files along the way.
  manager = await openManager(dirs, { workers: 2, maxConcurrentJobs: 3, maxQueuedJobs: 3, cacheBytes: 20_000 });
  sources = LANGUAGES.map((language, index) => corpusSource(dirs, `${guildIds[index]}.txt`, CORPORA[language]));
  await Promise.all(guildIds.map((guildId, index) => manager.train(guildId, ana, [sources[index]], TINY, 'new')));
});

afterAll(async () => {
  await manager.close();
  dirs.cleanup();
});

describe('guild isolation', () => {
  it('holds under random interleavings of train/save/load/delete/generate across three guilds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 14 }), async (ops) => {
        run++;
        const pending: Promise<void>[] = [];

        const checkObservation = (index: number) => {
          const guildId = guildIds[index];
          const prefix = `${PREFIXES[index]}_`;
          const listing = manager.list(guildId);
          for (const entry of listing)
            expect(entry.name.startsWith(prefix), `${guildId} lists ${entry.name}`).toBe(true);
          const status = manager.status(guildId);
          if (status.active.kind === 'saved') expect(status.active.model.name.startsWith(prefix)).toBe(true);
          expect(status.usage.models).toBe(listing.reduce((sum, entry) => sum + entry.versions.length, 0));
          for (const choice of manager.suggest(guildId, '')) expect(choice.name.startsWith(prefix)).toBe(true);
        };

        const perform = async (step: Op) => {
          const guildId = guildIds[step.guild];
          try {
            switch (step.kind) {
              case 'train': {
                const outcome = await manager.train(guildId, ana, [sources[step.guild]], TINY, step.mode);
                expectOwnWords(outcome.sample, step.guild);
                break;
              }
              case 'save':
              case 'load':
              case 'delete': {
                // A guild saves under its own prefix; it may try to load or delete another's.
                const owner = step.owner === -1 || step.kind === 'save' ? step.guild : step.owner;
                const name = `${PREFIXES[owner]}_${step.name}`;
                const result =
                  step.kind === 'save'
                    ? await manager.save(guildId, ana, name)
                    : step.kind === 'load'
                      ? await manager.load(guildId, name, step.version)
                      : await manager.delete(guildId, name, step.version);
                if (step.kind !== 'save') expect(owner, `${guildId} reached ${name}`).toBe(step.guild);
                if ('deleted' in result) for (const info of result.deleted) expect(info.name).toBe(name);
                break;
              }
              case 'generate':
                expectOwnWords((await manager.generate(guildId, { maxLength: 10, seed: run })).text, step.guild);
                break;
              case 'observe':
                checkObservation(step.guild);
                break;
            }
          } catch (error) {
            if (!isUserError(error) || !EXPECTED.has(error.code)) throw error;
          }
        };

        for (const step of ops) {
          const done = perform(step);
          if (step.concurrent) pending.push(done);
          else await done;
        }
        await Promise.all(pending);

        for (const index of [0, 1, 2]) {
          checkObservation(index);
          const guildId = guildIds[index];
          // Every file in the guild's directory is its own, and every saved version still loads.
          const dir = join(dirs.modelsDir, guildId);
          const onDisk = existsSync(dir) ? readdirSync(dir).filter((file) => !file.startsWith('.')) : [];
          const listed = manager.list(guildId).flatMap((entry) => entry.versions.map((version) => version.filename));
          expect(onDisk.sort()).toEqual(listed.sort());
          for (const entry of manager.list(guildId)) {
            for (const version of entry.versions) {
              await manager.load(guildId, entry.name, version.version);
              expectOwnWords((await manager.generate(guildId, { maxLength: 10, seed: version.version })).text, index);
            }
          }
        }
      }),
      { seed: 20241201, numRuns: 20 },
    );
  });
});

function expectOwnWords(text: string, guildIndex: number): void {
  const words = WORDS[LANGUAGES[guildIndex]];
  for (const word of text.split(/\s+/).filter((token) => token.length > 0)) {
    expect(words.has(word), `guild ${guildIndex} generated "${word}" in "${text}"`).toBe(true);
  }
}
