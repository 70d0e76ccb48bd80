import { defineConfig } from 'vitest/config';

const shared = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
  // Removes what helpers made for the whole file (the test PKI) after the file's own afterAll.
  setupFiles: ['test/helpers/file-cleanup.setup.ts'],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit+integration',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', 'test/e2e/**'],
          // Integration tests start real etcd/apiserver processes; keep parallelism modest on 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          // Whole clusters from `tkube up`: they share host names (the tkube0 bridge, the
          // tkube-cp/tkube-node-* namespaces), so they run one at a time, after everything else.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
