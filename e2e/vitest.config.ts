import { defineConfig } from 'vitest/config';

// Only the lint's own tests: the journeys in specs/ run in Playwright, not here.
export default defineConfig({
  test: {
    include: ['lint/**/*.test.ts'],
  },
});
