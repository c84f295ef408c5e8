import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
