import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/meta/errors.js';
import { labelSelectorAsSelector } from '../../api/selectors/labels.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { claimPods, recheckBeforeAdoption } from './claim.js';
import type { PodWriter } from './pod-control.js';

const rs = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } },
} as unknown as ReplicaSet;
const selector = labelSelectorAsSelector(rs.spec.selector);

function pod(name: string, labels: Record<string, string>, owner?: string, deleting = false): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      labels,
      deletionTimestamp: deleting ? '2026-01-01T00:00:00Z' : undefined,
      ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: owner, controller: true }] : undefined,
    },
    spec: { containers: [] },
  } as unknown as Pod;
}

function recordingWriter(fail?: Partial<Record<'adopt' | 'release', Error>>) {
  const calls: string[] = [];
  const writer: PodWriter = {
    createPod: () => Promise.reject(new Error('unused')),
    deletePod: () => Promise.reject(new Error('unused')),
    adoptPod: async (_rs, p) => {
      calls.push(`adopt ${p.metadata.name}`);
      if (fail?.adopt) throw fail.adopt;
    },
    releasePod: async (_rs, p) => {
      calls.push(`release ${p.metadata.name}`);
      if (fail?.release) throw fail.release;
    },
  };
  return { writer, calls };
}

const allowed = async () => {};

describe('claimPods', () => {
  it('keeps its matching pods, adopts matching orphans, releases non-matching pods, ignores others', async () => {
    const { writer, calls } = recordingWriter();
    const pods = [
      pod('mine', { app: 'web' }, 'rs-uid'),
      pod('orphan', { app: 'web' }),
      pod('relabeled', { app: 'other' }, 'rs-uid'),
      pod('foreign', { app: 'web' }, 'other-uid'),
      pod('unrelated', { app: 'db' }),
      pod('dying-orphan', { app: 'web' }, undefined, true),
    ];
    const res = await claimPods(rs, selector, pods, writer, allowed);
    expect(res.claimed.map((p) => p.metadata.name)).toEqual(['mine', 'orphan']);
    expect(res.errors).toEqual([]);
    expect(calls).toEqual(['adopt orphan', 'release relabeled']);
  });

  it('neither adopts nor releases while the ReplicaSet is being deleted', async () => {
    const { writer, calls } = recordingWriter();
    const deleting = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const res = await claimPods(deleting, selector, [pod('orphan', { app: 'web' }), pod('relabeled', { app: 'x' }, 'rs-uid')], writer, allowed);
    expect(res.claimed).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('does not adopt when the fresh ReplicaSet has another uid, and reports it', async () => {
    const { writer, calls } = recordingWriter();
    const check = recheckBeforeAdoption(rs, async () => ({ ...rs, metadata: { ...rs.metadata, uid: 'new-uid' } }));
    const res = await claimPods(rs, selector, [pod('orphan', { app: 'web' })], writer, check);
    expect(res.claimed).toEqual([]);
    expect(calls).toEqual([]);
    expect(res.errors[0]?.message).toContain('is gone: got uid new-uid, wanted rs-uid');
  });

  it('ignores pods that vanished while being adopted or released', async () => {
    const notFound = new ApiError(404, 'NotFound', 'pods "x" not found');
    const { writer } = recordingWriter({ adopt: notFound, release: notFound });
    const res = await claimPods(rs, selector, [pod('orphan', { app: 'web' }), pod('relabeled', { app: 'x' }, 'rs-uid')], writer, allowed);
    expect(res).toEqual({ claimed: [], errors: [] });
  });
});
