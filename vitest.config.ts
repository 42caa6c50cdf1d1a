import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Separate processes: each worker owns its schema/database (VITEST_POOL_ID), and process.chdir works.
    pool: 'forks',
  },
});
