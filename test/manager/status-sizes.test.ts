// Issue 16: the manager's status carries the size of the unsaved model's draft file, so /status can
// show it beside the image's; saving that model keeps the same file, so the same size.
import { describe, expect, it } from 'vitest';
import { ana, CORPORA, corpusSource, makeDirs, openManager, TINY } from './helpers.js';

describe('status sizes', () => {
  it("a trained, unsaved model reports its draft file's bytes, which the saved model then has", async () => {
    const dirs = makeDirs();
    try {
      const manager = await openManager(dirs);
      try {
        await manager.train('local', ana, [corpusSource(dirs, 'es.txt', CORPORA.es)], TINY, 'new');
        const working = manager.status('local').active;
        if (working.kind !== 'working') throw new Error(`expected a working model, got ${working.kind}`);
        expect(working.fileBytes).toBeGreaterThan(0);
        expect(working.stats.imageBytes).toBeGreaterThan(0);
        const saved = await manager.save('local', ana, 'cuentos');
        expect(saved.bytes).toBe(working.fileBytes);
        const active = manager.status('local').active;
        expect(active.kind === 'saved' && active.model.bytes).toBe(working.fileBytes);
      } finally {
        await manager.close();
      }
    } finally {
      dirs.cleanup();
    }
  });
});
