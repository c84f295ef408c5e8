// More crash-safety runs than the test suite affords (see test/manager/crash-harness.ts):
//   npm run bench:crash -- [--runs 1000] [--lanes 2] [--seed 7] [--max-delay-ms 400]
// Prints where the kills landed, what reconcile cleaned up, and every problem found.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOption } from './options.js';
import {
  buildCrashChild,
  CRASH_CORPUS,
  crashRun,
  crashSchedule,
  prepareLane,
  type CrashRunResult,
} from '../test/manager/crash-harness.js';

const argv = process.argv.slice(2);
const runs = benchOption(argv, 'runs', 1000, 1);
const lanes = benchOption(argv, 'lanes', 2, 1);
const seed = benchOption(argv, 'seed', 7);
const maxDelayMs = benchOption(argv, 'max-delay-ms', 400);

const root = mkdtempSync(join(tmpdir(), 'ultra-crash-bench-'));
try {
  const child = await buildCrashChild();
  const corpus = join(root, 'corpus.txt');
  writeFileSync(corpus, CRASH_CORPUS.join('\n') + '\n');
  const results: CrashRunResult[] = [];
  const started = Date.now();
  const perLane = Math.ceil(runs / lanes);
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const dataDir = join(root, `lane-${lane}`);
      let state = await prepareLane(dataDir, corpus);
      for (const plan of crashSchedule(perLane, seed * 1000 + lane, maxDelayMs)) {
        const result = await crashRun(child, dataDir, corpus, plan, state);
        results.push(result);
        state = result.after;
        if (results.length % 50 === 0) process.stderr.write(`${results.length} runs…\n`);
      }
    }),
  );
  const count = (pick: (result: CrashRunResult) => number) => results.reduce((sum, result) => sum + pick(result), 0);
  const during = new Map<string, number>();
  for (const result of results) {
    const key = `${result.killedDuring} (${result.mode})`;
    during.set(key, (during.get(key) ?? 0) + 1);
  }
  console.log(`${results.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`killed during: ${[...during].map(([op, n]) => `${op} ${n}`).join(', ')}`);
  console.log(
    `reconcile clean-up: ${count((r) => r.report.tempFilesRemoved.length)} temp files, ${count((r) => r.report.orphansMoved.length)} orphans moved, ` +
      `${count((r) => r.report.staleDraftsRemoved.length)} stale drafts, ${count((r) => r.report.jobsInterrupted.length)} jobs interrupted, ` +
      `${count((r) => r.report.draftsRecovered.length)} finished trainings recovered`,
  );
  const problems = results.flatMap((result, index) =>
    result.problems.map((problem) => `run ${index} (killed during ${result.killedDuring}): ${problem}`),
  );
  console.log(problems.length === 0 ? 'no problems' : problems.join('\n'));
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
