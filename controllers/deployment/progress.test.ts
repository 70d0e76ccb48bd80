import { describe, expect, it } from 'vitest';
import { MemoryEnv, testDeployment } from './memory-env.js';
import { reconcileDeployment } from './reconcile.js';
import { getCondition } from './util/conditions.js';

async function syncOnce(env: MemoryEnv) {
  return reconcileDeployment(env, structuredClone(env.deployment!), env.list(), () => new Map());
}

describe('progress, pause and rollback', () => {
  it('reports ProgressDeadlineExceeded once the deadline passes without progress, and requeues for it', async () => {
    const env = new MemoryEnv();
    env.deployment = testDeployment({ replicas: 2, progressDeadlineSeconds: 10 });
    await syncOnce(env);
    env.settle(() => 0); // pods never become available
    await syncOnce(env);
    const result = await syncOnce(env);
    expect(result.requeueAfter).toBeGreaterThan(9_000);
    expect(result.requeueAfter).toBeLessThanOrEqual(11_000);
    env.advance(11_000);
    await syncOnce(env);
    const cond = getCondition(env.deployment!.status, 'Progressing');
    expect(cond).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(cond!.message).toMatch(/^ReplicaSet "web-\w+" has timed out progressing\.$/);
    expect(getCondition(env.deployment!.status, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    // Progress after the failure flips it back.
    env.settle();
    await syncOnce(env);
    expect(getCondition(env.deployment!.status, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('paused: scales but does not roll out; resumed: rolls out', async () => {
    const env = new MemoryEnv();
    env.deployment = testDeployment({ replicas: 2 });
    await syncOnce(env);
    env.settle();
    await syncOnce(env);
    const d = env.deployment!;
    d.spec.paused = true;
    d.spec.template.spec.containers[0]!.image = 'nginx:2';
    d.spec.replicas = 4;
    d.metadata.generation = 2;
    await syncOnce(env);
    expect(env.list().map((rs) => rs.spec.replicas)).toEqual([4]);
    expect(getCondition(env.deployment!.status, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    env.deployment!.spec.paused = false;
    await syncOnce(env);
    expect(getCondition(env.deployment!.status, 'Progressing')).toMatchObject({ reason: expect.stringMatching(/DeploymentResumed|NewReplicaSetCreated/) });
    expect(env.list()).toHaveLength(2);
  });

  it('legacy rollback annotation restores the template of that revision and is removed', async () => {
    const env = new MemoryEnv();
    env.deployment = testDeployment({ replicas: 1 });
    await syncOnce(env);
    env.settle();
    env.deployment!.spec.template.spec.containers[0]!.image = 'nginx:2';
    for (let i = 0; i < 4; i++) {
      await syncOnce(env);
      env.settle();
    }
    env.deployment!.metadata.annotations = { ...env.deployment!.metadata.annotations, 'deprecated.deployment.rollback.to': '0' };
    await syncOnce(env);
    expect(env.deployment!.spec.template.spec.containers[0]!.image).toBe('nginx:1');
    expect(env.deployment!.spec.template.metadata.labels).toEqual({ app: 'web' });
    expect(env.deployment!.metadata.annotations?.['deprecated.deployment.rollback.to']).toBeUndefined();
    expect(env.events.at(-1)).toEqual({ type: 'Normal', reason: 'DeploymentRollback', message: 'Rolled back deployment "web" to revision 1' });
  });
});
