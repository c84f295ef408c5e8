import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecentPhrases } from '../../src/lm/index.js';
import type { ModelManager } from '../../src/manager/index.js';
import { ana, CORPORA, corpusSource, makeDirs, openManager, TINY, type TestDirs } from './helpers.js';

describe('generation readiness', () => {
  let dirs: TestDirs;
  let manager: ModelManager;
  const guild = '200000000000000001';

  beforeAll(async () => {
    dirs = makeDirs();
    manager = await openManager(dirs, { cacheBytes: 64 * 1024 * 1024 });
  });
  afterAll(async () => {
    await manager.close();
    dirs.cleanup();
  });

  it('says none, needs-load or in-memory without loading anything', async () => {
    expect(manager.generationReadiness(guild)).toBe('none');
    await manager.train(guild, ana, [corpusSource(dirs, 'a.txt', CORPORA.es)], TINY, 'new');
    await manager.save(guild, ana, 'cuentos');
    // A restarted manager knows the model but has not decoded it yet.
    await manager.close();
    const reopened = await openManager(dirs);
    manager = reopened;
    expect(reopened.generationReadiness(guild)).toBe('needs-load');
    expect(reopened.generationReadiness(guild)).toBe('needs-load');
    await reopened.generate(guild, { seed: 1 });
    expect(reopened.generationReadiness(guild)).toBe('in-memory');
  });

  it('keeps the cache budget in step with what generation builds in the model', async () => {
    const other = '200000000000000002';
    await manager.train(other, ana, [corpusSource(dirs, 'b.txt', CORPORA.en)], TINY, 'new');
    // Generation with the product defaults (natural sampling) builds the model's continuation
    // ranking: the cached size grows with it, and the budget accounts for it.
    // Exact sampling first loads the model without building anything.
    await manager.generate(other, { seed: 2, sampling: 'exact' });
    const before = manager.cacheStats().bytes;
    await manager.generate(other, { seed: 3 });
    const afterFirst = manager.cacheStats().bytes;
    expect(afterFirst).toBeGreaterThan(before);
    for (let seed = 4; seed < 40; seed++) await manager.generate(other, { seed, prompt: 'the' });
    expect(manager.cacheStats().bytes).toBeGreaterThanOrEqual(afterFirst);
  });

  it("remembers what a guild's model wrote only for calls without a seed, and counts that memory in the cache", async () => {
    const third = '200000000000000003';
    await manager.train(third, ana, [corpusSource(dirs, 'c.txt', CORPORA.en)], TINY, 'new');
    // With a seed a call stands alone: the same text every time, whatever came before.
    const seeded = (await manager.generate(third, { seed: 11 })).text;
    const before = manager.cacheStats().bytes;
    expect((await manager.generate(third, { seed: 11 })).text).toBe(seeded);
    expect(manager.cacheStats().bytes).toBe(before);
    // Without one the model keeps a memory of its texts (made once), and the cache counts it.
    await manager.generate(third, {});
    const withMemory = manager.cacheStats().bytes;
    expect(withMemory).toBeGreaterThanOrEqual(before + RecentPhrases.BYTES);
    await manager.generate(third, {});
    expect(manager.cacheStats().bytes).toBeLessThan(withMemory + RecentPhrases.BYTES);
    expect((await manager.generate(third, { seed: 11 })).text).toBe(seeded);
  });
});
