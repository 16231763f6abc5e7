import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'src/**/*.test.ts', 'src/**/*.test.tsx'],
    // Kubernetes' own kubectl tests run apart: npm run test:upstream (vitest.upstream.config.ts);
    // so do the long files: npm run test:long (vitest.long.config.ts).
    exclude: [...configDefaults.exclude, 'test/upstream/**', 'test/**/*.long.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end files start real processes (the simulator, kubectl, tmux); two cores are all we have.
    maxWorkers: 2,
  },
});
