// Training jobs: one per guild, the global limit with its bounded queue, cancellation, many
// guilds at once, and shutdown.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobProgress, ManagerConfig, ModelManager } from '../../src/manager/index.js';
import {
  ana,
  bob,
  CORPORA,
  corpusSource,
  makeDirs,
  openManager,
  rawDatabase,
  rejection,
  TINY,
  WORDS,
  type TestDirs,
} from './helpers.js';

let dirs: TestDirs;
const opened: ModelManager[] = [];

beforeEach(() => {
  dirs = makeDirs();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((manager) => manager.close()));
  dirs.cleanup();
});

async function open(overrides: Partial<ManagerConfig> = {}): Promise<ModelManager> {
  const manager = await openManager(dirs, overrides);
  opened.push(manager);
  return manager;
}

function train(
  manager: ModelManager,
  guildId: string,
  lines: readonly string[],
  onProgress?: (progress: JobProgress) => void,
) {
  return manager.train(
    guildId,
    ana,
    [corpusSource(dirs, `${guildId}-${lines.length}.txt`, lines)],
    TINY,
    'new',
    onProgress,
  );
}

/** A corpus large enough that training takes a while: deterministic pseudo-random sentences. */
function largeCorpus(lines: number): string[] {
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const words: string[] = [];
    for (let w = 0; w < 12; w++) words.push(`w${next() % 3000}`);
    out.push(words.join(' '));
  }
  return out;
}

function jobState(jobId: string): string {
  const db = rawDatabase(dirs);
  const row = db.prepare('SELECT state FROM jobs WHERE id = ?').get(jobId) as { state: string } | undefined;
  db.close();
  return row?.state ?? 'none';
}

describe('one job per guild', () => {
  it('answers a second training in the same guild with the first one’s progress', async () => {
    const manager = await open();
    const first = train(manager, 'local', CORPORA.es);
    const error = await rejection(manager.train('local', bob, [corpusSource(dirs, 'x.txt', CORPORA.en)], TINY, 'new'));
    expect([error.code, error.params]).toEqual(['ALREADY_TRAINING', { percent: 0, phase: 'ingest' }]);
    await first;
    // Once it is done, the guild may train again.
    await train(manager, 'local', CORPORA.en);
  });

  it('lets other guilds train meanwhile', async () => {
    const manager = await open({ workers: 2, maxConcurrentJobs: 2 });
    const [es, en] = await Promise.all([train(manager, 'g-es', CORPORA.es), train(manager, 'g-en', CORPORA.en)]);
    expect(wordsAllIn(es.sample, WORDS.es)).toBe(true);
    expect(wordsAllIn(en.sample, WORDS.en)).toBe(true);
  });
});

describe('global job limit', () => {
  it('queues up to the bound and answers "busy" beyond it', async () => {
    const manager = await open({ maxConcurrentJobs: 1, maxQueuedJobs: 1 });
    const seen: string[] = [];
    const a = train(manager, 'g-a', CORPORA.es);
    const b = train(manager, 'g-b', CORPORA.en, (progress) => seen.push(progress.phase));
    expect(manager.status('g-b').job?.progress).toMatchObject({ phase: 'queued', fraction: 0 });
    const busy = await rejection(train(manager, 'g-c', CORPORA.de));
    expect([busy.code, busy.params]).toEqual(['JOBS_BUSY', { retryAfterSeconds: 60 }]);
    await Promise.all([a, b]);
    expect(seen[0]).toBe('queued');
    expect(seen).toContain('count');
    // The queue drained: a new job is admitted.
    await train(manager, 'g-c', CORPORA.de);
  });

  it('cancels a queued job without disturbing the running one', async () => {
    const manager = await open({ maxConcurrentJobs: 1, maxQueuedJobs: 2 });
    const a = train(manager, 'g-a', CORPORA.es);
    const b = train(manager, 'g-b', CORPORA.en);
    const jobId = manager.status('g-b').job?.jobId as string;
    expect(manager.cancel('g-b')).toBe(true);
    const error = await rejection(b);
    expect(error.code).toBe('TRAINING_CANCELLED');
    expect(manager.status('g-b').job).toBeNull();
    expect(jobState(jobId)).toBe('cancelled');
    expect((await a).stats.corpus.lines).toBe(5);
    expect(manager.hasUnsavedWorkingModel('g-b')).toBe(false);
  });
});

describe('cancellation', () => {
  it('stops a training inside its worker and keeps the previous working model', async () => {
    const manager = await open();
    await train(manager, 'local', CORPORA.es);
    await manager.save('local', ana, 'previo');
    let cancelled = false;
    const running = manager.train(
      'local',
      ana,
      [corpusSource(dirs, 'large.txt', largeCorpus(40_000))],
      { maxPatternLength: 5, embeddingDim: 16 },
      'new',
      (progress) => {
        if (!cancelled && progress.phase !== 'ingest') cancelled = manager.cancel('local');
      },
    );
    const error = await rejection(running);
    expect(cancelled).toBe(true);
    expect(error.code).toBe('TRAINING_CANCELLED');
    expect(manager.status('local').active).toMatchObject({ kind: 'saved', model: { name: 'previo' } });
    expect(manager.cancel('local')).toBe(false);
    // The terminated worker is replaced for the next job.
    expect((await train(manager, 'local', CORPORA.en)).stats.corpus.lines).toBe(5);
  });

  it('has nothing to cancel when no job runs', async () => {
    const manager = await open();
    expect(manager.cancel('local')).toBe(false);
  });

  it('cancels running and queued jobs on close', async () => {
    const manager = await open({ maxConcurrentJobs: 1, maxQueuedJobs: 1 });
    const running = manager.train(
      'g-a',
      ana,
      [corpusSource(dirs, 'large.txt', largeCorpus(20_000))],
      { maxPatternLength: 4 },
      'new',
    );
    const queued = train(manager, 'g-b', CORPORA.en);
    const closed = manager.close();
    expect((await rejection(running)).code).toBe('SHUTTING_DOWN');
    expect((await rejection(queued)).code).toBe('SHUTTING_DOWN');
    await closed;
    const db = rawDatabase(dirs);
    const states = db.prepare('SELECT guild_id, state FROM jobs ORDER BY guild_id').all();
    db.close();
    expect(states).toEqual([
      { guild_id: 'g-a', state: 'cancelled' },
      { guild_id: 'g-b', state: 'cancelled' },
    ]);
  });
});

describe('many guilds at once', () => {
  it('trains six guilds through two workers, each ending with its own model', async () => {
    const manager = await open({ workers: 2, maxConcurrentJobs: 2, maxQueuedJobs: 10 });
    const languages = ['es', 'en', 'de', 'es', 'en', 'de'] as const;
    await Promise.all(languages.map((language, index) => train(manager, `guild-${index}`, CORPORA[language])));
    for (const [index, language] of languages.entries()) {
      const text = (await manager.generate(`guild-${index}`, { maxLength: 12, seed: index })).text;
      expect(wordsAllIn(text, WORDS[language]), `guild-${index}: ${text}`).toBe(true);
    }
  });
});

function wordsAllIn(text: string, words: Set<string>): boolean {
  return text
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .every((word) => words.has(word));
}
