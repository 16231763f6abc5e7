import { defineConfig } from 'vitest/config';

/**
 * The long suite, apart from `npm test` (which stays under ten minutes): files named
 * `*.long.test.ts`, such as every solution run twice and after an interruption on the simulated
 * cluster. `npm run test:long`; CI runs it as a step of its own.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.long.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
  },
});
