import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real etcd/apiserver processes; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    pool: 'forks',
  },
});
