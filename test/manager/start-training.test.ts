// /train's contract with the manager: admission is decided synchronously (startTraining returns
// the refusal or the admitted training, not a promise), so a refusal is answered as an error and
// never as a progress message followed by a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import type { ModelManager } from '../../src/manager/index.js';
import { ana, CORPORA, corpusSource, makeDirs, openManager, TINY, type TestDirs } from './helpers.js';

const GUILD = '400000000000000001';
let dirs: TestDirs;
let manager: ModelManager;

beforeAll(async () => {
  dirs = makeDirs();
  manager = await openManager(dirs);
});

afterAll(async () => {
  await manager.close();
  dirs.cleanup();
});

const codeOf = (refusal: unknown) => (isUserError(refusal) ? refusal.code : String(refusal));

describe('startTraining', () => {
  it('refuses bad parameters, no sources and a second training at once, without a promise', async () => {
    const badParams = manager.startTraining(
      GUILD,
      ana,
      [corpusSource(dirs, 'a.txt', CORPORA.en)],
      { maxPatternLength: 99 },
      'new',
    );
    expect(badParams).not.toBeInstanceOf(Promise);
    expect(badParams.admitted).toBe(false);
    if (!badParams.admitted) expect(codeOf(badParams.refusal)).toBe('INVALID_PARAMETER');

    const none = manager.startTraining(GUILD, ana, [], TINY, 'new');
    expect(none.admitted).toBe(false);

    const first = manager.startTraining(GUILD, ana, [corpusSource(dirs, 'b.txt', CORPORA.en)], TINY, 'new');
    expect(first.admitted).toBe(true);
    const second = manager.startTraining(GUILD, ana, [corpusSource(dirs, 'c.txt', CORPORA.es)], TINY, 'new');
    expect(second.admitted).toBe(false);
    if (!second.admitted) expect(codeOf(second.refusal)).toBe('ALREADY_TRAINING');
    if (first.admitted) expect((await first.outcome).sources).toHaveLength(1);
  });

  it('train() is the same admission with the refusal as a rejection', async () => {
    await expect(
      manager.train(GUILD, ana, [corpusSource(dirs, 'd.txt', CORPORA.en)], { maxPatternLength: 99 }, 'new'),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
    });
  });
});
