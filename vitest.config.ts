import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setup/keepStatementsAlive.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Crash and end-to-end tests spawn real processes; two cores are all we have.
    maxWorkers: 2,
  },
});
