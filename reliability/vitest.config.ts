import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // The harnesses start processes that compete for the machine's two cores; one file at a time.
    fileParallelism: false,
  },
});
