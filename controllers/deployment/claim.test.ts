import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { claimReplicaSets, type ReplicaSetPatcher } from './claim.js';
import { testDeployment } from './memory-env.js';

function rs(name: string, labels: Record<string, string>, ownerUid?: string): ReplicaSet {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels,
      ownerReferences: ownerUid ? [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', uid: ownerUid, controller: true }] : [],
    },
    spec: { replicas: 1 },
  } as unknown as ReplicaSet;
}

function recorder(fresh: Deployment | undefined) {
  const patches: { name: string; patch: unknown }[] = [];
  const api: ReplicaSetPatcher = {
    patch: async (target, patch) => {
      patches.push({ name: target.metadata.name ?? '', patch });
      return { ...target, metadata: { ...target.metadata, ownerReferences: (patch as { metadata: { ownerReferences: never } }).metadata.ownerReferences } };
    },
    getFreshDeployment: async () => fresh,
  };
  return { api, patches };
}

describe('claiming ReplicaSets', () => {
  const d = testDeployment({ replicas: 1 });

  it('keeps its own, adopts matching orphans, releases its own that stopped matching, ignores others', async () => {
    const { api, patches } = recorder(d);
    const owned = await claimReplicaSets(
      d,
      [rs('mine', { app: 'web' }, 'uid-web'), rs('orphan', { app: 'web' }), rs('drifted', { app: 'other' }, 'uid-web'), rs('theirs', { app: 'web' }, 'uid-other')],
      api,
    );
    expect(owned.map((r) => r.metadata.name)).toEqual(['mine', 'orphan']);
    expect(patches).toEqual([
      {
        name: 'orphan',
        patch: {
          metadata: {
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
            uid: 'uid-orphan',
          },
        },
      },
      {
        name: 'drifted',
        patch: { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'uid-web' }], uid: 'uid-drifted' } },
      },
    ]);
  });

  it('does not adopt when a fresh read shows the deployment was replaced', async () => {
    const replaced = structuredClone(d);
    replaced.metadata.uid = 'uid-new';
    const { api, patches } = recorder(replaced);
    await expect(claimReplicaSets(d, [rs('orphan', { app: 'web' })], api)).rejects.toThrow(/is gone/);
    expect(patches).toEqual([]);
  });

  it('a deployment being deleted neither adopts nor releases', async () => {
    const deleting = structuredClone(d);
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const { api, patches } = recorder(deleting);
    const owned = await claimReplicaSets(deleting, [rs('orphan', { app: 'web' }), rs('drifted', { app: 'other' }, 'uid-web')], api);
    expect(owned).toEqual([]);
    expect(patches).toEqual([]);
  });
});
