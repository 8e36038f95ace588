import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own servers on free ports; two workers fit this machine's two cores.
    maxWorkers: 2,
    setupFiles: ['test/helpers/known-warnings-setup.ts'],
  },
});
