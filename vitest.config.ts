import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails the run when a process a test started (gateway, chronyd) outlives it.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn real gateway processes on fixed-free ports; two cores only.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
