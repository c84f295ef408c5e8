// The per-guild working-model cache behind /generate, and generate() with hooks (one read of
// the guild's state for the readiness check and the generation). The cache must never serve a
// state that changed: not after this manager's own writes, not after another connection's
// commits (a second shard process, or the console with --guild on the bot's data directory).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManager } from '../../src/manager/index.js';
import { GuildStateCache, type ChangeSource } from '../../src/manager/guild-state-cache.js';
import { Catalog } from '../../src/store/index.js';
import {
  ana,
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

function wordsOf(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}

/** Which corpus a generated text comes from (the corpora share no word). */
function languageOf(text: string): keyof typeof CORPORA {
  const words = wordsOf(text);
  for (const language of Object.keys(CORPORA) as (keyof typeof CORPORA)[]) {
    if (words.length > 0 && words.every((word) => WORDS[language].has(word))) return language;
  }
  throw new Error(`text from no single corpus: ${text}`);
}

describe('GuildStateCache', () => {
  function source(): ChangeSource & { version: number; writes: number; checks: number } {
    return {
      version: 1,
      writes: 0,
      checks: 0,
      dataVersion() {
        this.checks++;
        return this.version;
      },
      get writeCount() {
        return this.writes;
      },
    };
  }

  it('serves a value until a write of this process or a commit of another connection', () => {
    const changes = source();
    const cache = new GuildStateCache<string>(changes);
    expect(cache.get('g1')).toBeUndefined();
    cache.set('g1', 'a');
    expect(cache.get('g1')).toBe('a');
    expect(changes.checks).toBe(2);

    changes.writes++;
    expect(cache.get('g1')).toBeUndefined();
    cache.set('g1', 'b');
    expect(cache.get('g1')).toBe('b');

    changes.version++;
    expect(cache.get('g1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not keep a value read across a write of this process', () => {
    const changes = source();
    const cache = new GuildStateCache<string>(changes);
    expect(cache.get('g1')).toBeUndefined();
    changes.writes++;
    cache.set('g1', 'read before the write');
    expect(cache.get('g1')).toBeUndefined();
  });
});

describe('Catalog change detection', () => {
  let dirs: TestDirs;
  beforeAll(() => {
    dirs = makeDirs();
  });
  afterAll(() => dirs.cleanup());

  it('counts its own writing statements and sees other connections commit', async () => {
    const manager = await openManager(dirs);
    await manager.close();
    const own = rawDatabase(dirs);
    const other = rawDatabase(dirs);
    try {
      const catalog = new Catalog(own);
      const writes = catalog.writeCount;
      const version = catalog.dataVersion();
      catalog.guildState('guild-1');
      catalog.listModels('guild-1');
      expect(catalog.writeCount).toBe(writes);
      catalog.setMeta('k', 'v');
      expect(catalog.writeCount).toBe(writes + 1);
      // Our own commit does not move data_version (so writeCount has to)…
      expect(catalog.dataVersion()).toBe(version);
      // …another connection's does.
      new Catalog(other).setMeta('k', 'w');
      expect(catalog.dataVersion()).not.toBe(version);
    } finally {
      own.close();
      other.close();
    }
  });
});

describe('working model seen by generate()', () => {
  let dirs: TestDirs;
  let bot: ModelManager;
  const guild = '300000000000000001';

  beforeAll(async () => {
    dirs = makeDirs();
    bot = await openManager(dirs);
  });
  afterAll(async () => {
    await bot.close();
    dirs.cleanup();
  });

  it("follows this manager's own save, load, training and delete", async () => {
    await bot.train(guild, ana, [corpusSource(dirs, 'es.txt', CORPORA.es)], TINY, 'new');
    expect(languageOf((await bot.generate(guild, { seed: 1 })).text)).toBe('es');
    await bot.save(guild, ana, 'espanol');
    await bot.train(guild, ana, [corpusSource(dirs, 'en.txt', CORPORA.en)], TINY, 'new');
    expect(languageOf((await bot.generate(guild, { seed: 1 })).text)).toBe('en');
    await bot.save(guild, ana, 'english');
    expect(languageOf((await bot.generate(guild, { seed: 1 })).text)).toBe('en');
    await bot.load(guild, 'espanol');
    expect(languageOf((await bot.generate(guild, { seed: 2 })).text)).toBe('es');
    expect(bot.generationReadiness(guild)).toBe('in-memory');
    await bot.delete(guild, 'espanol');
    expect(bot.generationReadiness(guild)).toBe('none');
    expect((await rejection(bot.generate(guild, { seed: 3 }))).code).toBe('NO_MODEL_LOADED');
    await bot.load(guild, 'english');
    expect(languageOf((await bot.generate(guild, { seed: 4 })).text)).toBe('en');
  });

  it('follows what another process does to the same guild (the console with --guild)', async () => {
    const guild = '300000000000000002'; // its own, so this test stands alone
    await bot.train(guild, ana, [corpusSource(dirs, 'en.txt', CORPORA.en)], TINY, 'new');
    await bot.save(guild, ana, 'english');
    expect(languageOf((await bot.generate(guild, { seed: 4 })).text)).toBe('en'); // now in this process's memory
    const consoleManager = await openManager(dirs);
    try {
      await consoleManager.train(guild, ana, [corpusSource(dirs, 'de.txt', CORPORA.de)], TINY, 'new');
      expect(languageOf((await bot.generate(guild, { seed: 5 })).text)).toBe('de');
      expect(bot.hasUnsavedWorkingModel(guild)).toBe(true);
      expect(bot.status(guild).active.kind).toBe('working');

      await consoleManager.load(guild, 'english');
      expect(bot.generationReadiness(guild)).toBe('in-memory');
      expect(languageOf((await bot.generate(guild, { seed: 6 }, { beforeLoad: async () => undefined })).text)).toBe(
        'en',
      );

      await consoleManager.delete(guild, 'english');
      expect(bot.generationReadiness(guild)).toBe('none');
      let called = 0;
      const refused = await rejection(bot.generate(guild, { seed: 7 }, { beforeLoad: async () => void called++ }));
      expect(refused.code).toBe('NO_MODEL_LOADED');
      expect(called).toBe(0);
    } finally {
      await consoleManager.close();
    }
  });

  it('returns copies: changing what status() answered changes nothing cached', async () => {
    const guild = '300000000000000003';
    await bot.train(guild, ana, [corpusSource(dirs, 'es2.txt', CORPORA.es)], TINY, 'new');
    const status = bot.status(guild);
    if (status.active.kind !== 'working') throw new Error('expected the working model');
    status.active.trainedBy.name = 'someone else';
    const again = bot.status(guild);
    expect(again.active.kind === 'working' && again.active.trainedBy.name).toBe(ana.name);
  });
});

describe('generate() with hooks', () => {
  let dirs: TestDirs;
  let manager: ModelManager;
  const guild = '300000000000000002';

  beforeAll(async () => {
    dirs = makeDirs();
    manager = await openManager(dirs);
    await manager.train(guild, ana, [corpusSource(dirs, 'es.txt', CORPORA.es)], TINY, 'new');
    await manager.save(guild, ana, 'espanol');
    await manager.train(guild, ana, [corpusSource(dirs, 'en.txt', CORPORA.en)], TINY, 'new');
    await manager.save(guild, ana, 'english');
  });
  afterAll(async () => {
    await manager.close();
    dirs.cleanup();
  });

  it('calls beforeLoad only when the model must be read and decoded, and before it is', async () => {
    // Reopened: the active model (english) is known but not decoded.
    await manager.close();
    manager = await openManager(dirs);
    const events: string[] = [];
    const hooks = {
      beforeLoad: async () => {
        events.push(`beforeLoad: ${manager.generationReadiness(guild)}`);
      },
    };
    const first = await manager.generate(guild, { seed: 1 }, hooks);
    events.push('generated');
    expect(languageOf(first.text)).toBe('en');
    await manager.generate(guild, { seed: 2 }, hooks);
    expect(events).toEqual(['beforeLoad: needs-load', 'generated']);
    // The same text as without hooks.
    expect((await manager.generate(guild, { seed: 1 })).text).toBe(first.text);
  });

  it('answers NO_MODEL_LOADED at once, without calling beforeLoad', async () => {
    let called = 0;
    const error = await rejection(
      manager.generate('300000000000000099', {}, { beforeLoad: async () => void called++ }),
    );
    expect(error.code).toBe('NO_MODEL_LOADED');
    expect(called).toBe(0);
  });

  it('uses the model a load queued before it made active, not the one it saw first', async () => {
    await manager.generate(guild, { seed: 1 });
    expect(manager.generationReadiness(guild)).toBe('in-memory');
    const loading = manager.load(guild, 'espanol');
    const generated = manager.generate(guild, { seed: 3 }, { beforeLoad: async () => undefined });
    await loading;
    expect(languageOf((await generated).text)).toBe('es');
    // And the other way round: a generation queued before a load uses the model before it.
    const before = manager.generate(guild, { seed: 4 }, { beforeLoad: async () => undefined });
    const reload = manager.load(guild, 'english');
    expect(languageOf((await before).text)).toBe('es');
    await reload;
    expect(languageOf((await manager.generate(guild, { seed: 5 }, { beforeLoad: async () => undefined })).text)).toBe(
      'en',
    );
  });

  it('refuses with SHUTTING_DOWN when the manager closes while beforeLoad runs', async () => {
    await manager.close();
    manager = await openManager(dirs);
    let release!: () => void;
    const deferring = new Promise<void>((resolve) => {
      release = resolve;
    });
    const generated = manager.generate(guild, {}, { beforeLoad: () => deferring });
    const closing = manager.close();
    release();
    expect((await rejection(generated)).code).toBe('SHUTTING_DOWN');
    await closing;
    manager = await openManager(dirs);
  });
});
