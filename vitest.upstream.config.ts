import { defineConfig } from 'vitest/config';

/**
 * Kubernetes' own kubectl tests (test/cmd/*.sh) ported to run against the simulated cluster:
 * `npm run test:upstream`, apart from `npm test`. Each file starts its own `sim serve`.
 */
export default defineConfig({
  test: {
    include: ['test/upstream/**/*.test.ts'],
    globalSetup: ['test/upstream/summary.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    // Each file runs a simulator and many kubectl processes; two cores are all we have.
    maxWorkers: 2,
  },
});
