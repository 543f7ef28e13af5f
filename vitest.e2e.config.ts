import { defineConfig } from 'vitest/config';

/**
 * Browser journeys (test/e2e): the real server as a child process, Debian's
 * Chromium through playwright-core. One file at a time: each starts a server
 * and a browser, and the machine is small and shared.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
