// Crash safety: a child process saving, training and deleting is SIGKILLed at seeded random
// points, half by the parent after a random delay, half by itself at a random file-system step
// (between a file and its transaction); after each kill the directory reopens cleanly (see
// crash-harness.ts for what is checked). 50 runs in two lanes of 25, each lane on its own data
// directory that carries over from run to run, so each reopen also reconciles what the
// previous crash left, and every model saved in an earlier run must still be there. More runs:
//   npx tsx bench/crash-safety.ts --runs 1000
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCrashChild,
  CRASH_CORPUS,
  crashRun,
  crashSchedule,
  prepareLane,
  type ChildCommand,
  type CrashRunResult,
} from './crash-harness.js';
import { makeDirs, type TestDirs } from './helpers.js';

const LANES = 2;
const RUNS_PER_LANE = 25;
const MAX_DELAY_MS = 150;

let dirs: TestDirs;
let child: ChildCommand;

beforeAll(async () => {
  dirs = makeDirs('ultra-crash-');
  child = await buildCrashChild();
});

afterAll(() => dirs.cleanup());

describe('crash safety', () => {
  it(`survives ${LANES * RUNS_PER_LANE} SIGKILLs during save, train-finish and delete`, {
    timeout: 120_000,
  }, async () => {
    const corpus = join(dirs.root, 'corpus.txt');
    writeFileSync(corpus, CRASH_CORPUS.join('\n') + '\n');
    const results: CrashRunResult[] = [];
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const dataDir = join(dirs.root, `lane-${lane}`);
        let state = await prepareLane(dataDir, corpus);
        for (const plan of crashSchedule(RUNS_PER_LANE, 1000 + lane, MAX_DELAY_MS)) {
          const result = await crashRun(child, dataDir, corpus, plan, state);
          results.push(result);
          state = result.after;
        }
      }),
    );
    const problems = results.flatMap((result, index) =>
      result.problems.map((problem) => `run ${index} (killed during ${result.killedDuring}): ${problem}`),
    );
    expect(problems).toEqual([]);
    expect(results).toHaveLength(LANES * RUNS_PER_LANE);
    // The runs did work: operations completed and the kills landed inside operations.
    expect(results.reduce((sum, result) => sum + result.confirmedOps, 0)).toBeGreaterThan(LANES * RUNS_PER_LANE);
    expect(results.filter((result) => result.killedDuring !== 'idle').length).toBeGreaterThan(RUNS_PER_LANE / 2);
  });
});
