/** A throwaway real etcd on free ports with a temporary data dir, for integration tests. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdProcess } from '../../cli/etcd-process.js';

export interface TestEtcd extends EtcdProcess {
  /** Stop etcd and delete its data dir. */
  destroy(): Promise<void>;
}

export async function startTestEtcd(): Promise<TestEtcd> {
  // On tmpfs when there is one: etcd fsyncs every write, and tests need no durability.
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dataDir = mkdtempSync(join(base, 'tkube-test-etcd-'));
  const etcd = await startEtcd({ dataDir });
  return Object.assign(etcd, {
    destroy: async () => {
      await etcd.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
