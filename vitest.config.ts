import { defineConfig } from 'vitest/config';

// The JSON report lets .ci/run print the "N passed, N failed" line CI reads.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
