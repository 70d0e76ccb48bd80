import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { MemoryEnv, testDeployment } from './memory-env.js';
import { reconcileDeployment } from './reconcile.js';
import { cleanupUnhealthyReplicas } from './rolling.js';
import { REVISION_ANNOTATION } from './util/annotations.js';
import { getCondition } from './util/conditions.js';

/** One controller sync against the env's current state. */
async function syncOnce(env: MemoryEnv) {
  const d = structuredClone(env.deployment!);
  return reconcileDeployment(env, d, env.list(), () => new Map());
}

function specTotal(env: MemoryEnv): number {
  return env.list().reduce((n, rs) => n + rs.spec.replicas, 0);
}

function availableTotal(env: MemoryEnv): number {
  return env.list().reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
}

function bump(env: MemoryEnv, change: (d: Deployment) => void): void {
  const d = env.deployment!;
  change(d);
  d.metadata.generation = (d.metadata.generation ?? 1) + 1;
}

async function startComplete(d: Deployment): Promise<MemoryEnv> {
  const env = new MemoryEnv();
  env.deployment = d;
  await syncOnce(env);
  env.settle();
  await syncOnce(env);
  return env;
}

describe('rolling update', () => {
  it('creates the first ReplicaSet at full size with hash name, revision and replica annotations', async () => {
    const env = new MemoryEnv();
    env.deployment = testDeployment({ replicas: 5 });
    await syncOnce(env);
    const [rs] = env.list();
    expect(rs!.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const hash = rs!.metadata.labels!['pod-template-hash'];
    expect(rs!.metadata.name).toBe(`web-${hash}`);
    expect(rs!.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs!.spec.template.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs!.spec.replicas).toBe(5);
    expect(rs!.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true },
    ]);
    expect(rs!.metadata.annotations).toMatchObject({
      [REVISION_ANNOTATION]: '1',
      'deployment.kubernetes.io/desired-replicas': '5',
      'deployment.kubernetes.io/max-replicas': '7',
    });
    expect(env.events).toContainEqual({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${rs!.metadata.name} from 0 to 5` });
    expect(env.deployment!.metadata.annotations?.[REVISION_ANNOTATION]).toBe('1');
    expect(getCondition(env.deployment!.status, 'Progressing')?.reason).toBe('NewReplicaSetCreated');

    env.settle();
    await syncOnce(env);
    const status = env.deployment!.status!;
    expect(status).toMatchObject({ observedGeneration: 1, replicas: 5, updatedReplicas: 5, readyReplicas: 5, availableReplicas: 5 });
    expect(status.unavailableReplicas ?? 0).toBe(0);
    expect(getCondition(status, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(getCondition(status, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
  });

  it.each([
    { replicas: 10, maxSurge: '25%', maxUnavailable: '25%' },
    { replicas: 5, maxSurge: 0, maxUnavailable: 1 },
    { replicas: 5, maxSurge: 1, maxUnavailable: 0 },
    { replicas: 3, maxSurge: '50%', maxUnavailable: '10%' },
  ])('rolls out within surge and unavailability bounds: %o', async (cfg) => {
    const env = await startComplete(testDeployment(cfg));
    const d = env.deployment!;
    const surge = typeof cfg.maxSurge === 'number' ? cfg.maxSurge : Math.ceil((parseInt(cfg.maxSurge) * cfg.replicas) / 100);
    let unavailable = typeof cfg.maxUnavailable === 'number' ? cfg.maxUnavailable : Math.floor((parseInt(cfg.maxUnavailable) * cfg.replicas) / 100);
    if (surge === 0 && unavailable === 0) unavailable = 1;
    bump(env, (dd) => (dd.spec.template.spec.containers[0]!.image = 'nginx:2'));

    // New pods become available one sync after they were asked for.
    const askedBefore = new Map(env.list().map((rs) => [rs.metadata.name ?? '', rs.spec.replicas]));
    let steps = 0;
    for (; steps < 50; steps++) {
      await syncOnce(env);
      expect(specTotal(env)).toBeLessThanOrEqual(cfg.replicas + surge);
      env.settle((rs) => askedBefore.get(rs.metadata.name ?? '') ?? 0);
      for (const rs of env.list()) askedBefore.set(rs.metadata.name ?? '', rs.spec.replicas);
      expect(availableTotal(env)).toBeGreaterThanOrEqual(cfg.replicas - unavailable);
      const s = env.deployment!.status!;
      if (getCondition(s, 'Progressing')?.reason === 'NewReplicaSetAvailable' && s.updatedReplicas === cfg.replicas && s.replicas === cfg.replicas) break;
    }
    expect(steps).toBeLessThan(50);
    const rss = env.list().sort((a, b) => Number(a.metadata.annotations![REVISION_ANNOTATION]) - Number(b.metadata.annotations![REVISION_ANNOTATION]));
    expect(rss.map((rs) => [rs.metadata.annotations![REVISION_ANNOTATION], rs.spec.replicas])).toEqual([
      ['1', 0],
      ['2', cfg.replicas],
    ]);
    expect(rss[1]!.spec.template.spec.containers[0]!.image).toBe('nginx:2');
    expect(env.deployment!.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
    expect(d.metadata.name).toBe('web');
  });

  it('scales down unhealthy old replicas first, without waiting for availability', async () => {
    const env = await startComplete(testDeployment({ replicas: 4, maxSurge: 0, maxUnavailable: 1 }));
    // Two old pods broke.
    env.settle(() => 2);
    bump(env, (d) => (d.spec.template.spec.containers[0]!.image = 'nginx:2'));
    await syncOnce(env);
    const old = env.list().find((rs) => rs.metadata.annotations![REVISION_ANNOTATION] === '1')!;
    // maxScaledDown = 4 total − 3 minAvailable − 0 = 1: one unhealthy replica goes.
    expect(old.spec.replicas).toBe(3);
    expect(env.events.at(-1)!.message).toMatch(/^Scaled down replica set web-\w+ from 4 to 3$/);
  });

  it('deletes old ReplicaSets beyond revisionHistoryLimit once complete', async () => {
    const env = await startComplete(testDeployment({ replicas: 2, revisionHistoryLimit: 1 }));
    for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
      bump(env, (d) => (d.spec.template.spec.containers[0]!.image = image));
      for (let i = 0; i < 10; i++) {
        await syncOnce(env);
        env.settle();
      }
    }
    await syncOnce(env);
    const revisions = env.list().map((rs) => rs.metadata.annotations![REVISION_ANNOTATION]).sort();
    expect(revisions).toEqual(['3', '4']);
  });

  it('reuses the old ReplicaSet when the template goes back, with the next revision and a revision-history', async () => {
    const env = await startComplete(testDeployment({ replicas: 2 }));
    const first = env.list()[0]!.metadata.name;
    bump(env, (d) => (d.spec.template.spec.containers[0]!.image = 'nginx:2'));
    for (let i = 0; i < 6; i++) {
      await syncOnce(env);
      env.settle();
    }
    bump(env, (d) => (d.spec.template.spec.containers[0]!.image = 'nginx:1'));
    for (let i = 0; i < 6; i++) {
      await syncOnce(env);
      env.settle();
    }
    const rs = env.replicaSets.get(first!)!;
    expect(rs.spec.replicas).toBe(2);
    expect(rs.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(env.list()).toHaveLength(2);
  });

  it('bumps collisionCount when the hashed name belongs to another owner, then uses another name', async () => {
    const env = new MemoryEnv();
    env.deployment = testDeployment({ replicas: 1 });
    await syncOnce(env);
    const taken = env.list()[0]!;
    // Someone else's ReplicaSet with that name (another owner, another template).
    env.replicaSets.clear();
    const foreign: ReplicaSet = structuredClone(taken);
    foreign.metadata.ownerReferences = [];
    foreign.spec.template.spec.containers[0]!.image = 'other';
    env.replicaSets.set(foreign.metadata.name!, foreign);
    await expect(syncOnce(env)).rejects.toThrow(/already exists/);
    expect(env.deployment!.status?.collisionCount).toBe(1);
    await syncOnce(env);
    const ours = env.list().find((rs) => rs.metadata.name !== foreign.metadata.name)!;
    expect(ours.spec.template.spec.containers[0]!.image).toBe('nginx:1');
    expect(ours.metadata.name).not.toBe(taken.metadata.name);
  });
});

describe('surge counts pods not yet gone', () => {
  it('does not grow the new ReplicaSet while an old one still reports pods above its spec', async () => {
    const env = await startComplete(testDeployment({ replicas: 4, maxSurge: 1, maxUnavailable: 1 }));
    bump(env, (d) => (d.spec.template.spec.containers[0]!.image = 'nginx:2'));
    // One sync creates the new ReplicaSet at 1 (4 + 1 surge) and scales the old one to 3
    // (4 available − 3 minimum).
    await syncOnce(env);
    const rev = (n: string) => env.list().find((rs) => rs.metadata.annotations![REVISION_ANNOTATION] === n)!;
    expect([rev('1').spec.replicas, rev('1').status?.replicas, rev('2').spec.replicas]).toEqual([3, 4, 1]);
    // The old ReplicaSet still reports 4 pods: 4 + 1 = replicas + surge, no room yet.
    await syncOnce(env);
    expect(rev('2').spec.replicas).toBe(1);
    // Its scale-down carried out, the new one may grow.
    env.settle((rs) => (rs.metadata.annotations![REVISION_ANNOTATION] === '1' ? 3 : 0));
    await syncOnce(env);
    expect(env.list().find((rs) => rs.metadata.annotations![REVISION_ANNOTATION] === '2')!.spec.replicas).toBe(2);
  });
});

describe('cleanupUnhealthyReplicas', () => {
  it('refuses to turn a stale status into a scale-up', async () => {
    const env = new MemoryEnv();
    const d = testDeployment({ replicas: 4 });
    env.deployment = d;
    await syncOnce(env);
    env.settle();
    const rs = env.list()[0]!;
    rs.spec.replicas = 2; // scaled down; status still says 4 available
    await expect(cleanupUnhealthyReplicas(env, [rs], d, 2)).rejects.toThrow(/invalid request to scale down/);
    expect(env.list()[0]!.spec.replicas).toBe(4);
  });
});

describe('minReadySeconds', () => {
  it('is passed to the new ReplicaSet in place, without a new revision', async () => {
    const env = await startComplete(testDeployment({ replicas: 2 }));
    bump(env, (d) => (d.spec.minReadySeconds = 5));
    await syncOnce(env);
    const rss = env.list();
    expect(rss).toHaveLength(1);
    expect(rss[0]!.spec.minReadySeconds).toBe(5);
    expect(rss[0]!.metadata.annotations![REVISION_ANNOTATION]).toBe('1');
  });
});
