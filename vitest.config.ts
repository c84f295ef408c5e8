import { defineConfig } from 'vitest/config';

// The JSON report lets .ci/run print the "N passed, N failed" line CI reads.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every run in its own order: the tests pass alone and in any order. The seed is printed;
    // `npx vitest run --sequence.seed=N` repeats an order.
    sequence: { shuffle: true },
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    // `npm run coverage`. Only code run inside vitest's own test processes is measured: the
    // training worker thread and the child processes tests spawn (consoles, the CLI, crash
    // harnesses) are not seen, because @vitest/coverage-v8 4.1 profiles each test fork through
    // its inspector session and does not attach to threads or processes started from it.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'commands/**/*.ts'],
      // `commands/**` would also match test/commands/ helpers.
      exclude: ['test/**'],
      reporter: ['text', 'json-summary'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
    },
  },
});
