import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { MemoryEnv, testDeployment } from './memory-env.js';
import { reconcileDeployment } from './reconcile.js';
import { REVISION_ANNOTATION } from './util/annotations.js';

describe('recreate', () => {
  it('scales the old ReplicaSet to zero and creates the new one only when no old pod runs', async () => {
    const env = new MemoryEnv();
    env.deployment = testDeployment({ replicas: 3, strategy: 'Recreate' });
    let pods = new Map<string, Pod[]>();
    const syncOnce = () => reconcileDeployment(env, structuredClone(env.deployment!), env.list(), () => pods);
    await syncOnce();
    env.settle();
    await syncOnce();
    const old = env.list()[0]!;
    env.deployment!.spec.template.spec.containers[0]!.image = 'nginx:2';
    await syncOnce();
    expect(env.list().map((rs) => rs.spec.replicas)).toEqual([0]);
    // The ReplicaSet says 0 but a pod is still terminating: wait.
    env.settle();
    pods = new Map([[old.metadata.uid!, [{ status: { phase: 'Running' } } as Pod]]]);
    await syncOnce();
    expect(env.list()).toHaveLength(1);
    // Gone: the new ReplicaSet comes at full size.
    pods = new Map([[old.metadata.uid!, []]]);
    await syncOnce();
    const fresh = env.list().find((rs) => rs.metadata.annotations![REVISION_ANNOTATION] === '2')!;
    expect(fresh.spec.replicas).toBe(3);
  });
});
