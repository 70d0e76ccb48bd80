import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { podFromTemplate, podNamePrefix } from './pod-template.js';

const rs = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'u-1', labels: { owner: 'x' }, annotations: { 'deployment.kubernetes.io/revision': '3' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' }, annotations: { note: 'n' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    },
  },
} as unknown as ReplicaSet;

describe('podFromTemplate', () => {
  it('copies the template and points a controller ownerReference at the ReplicaSet', () => {
    const pod = podFromTemplate(rs);
    expect(pod.metadata).toEqual({
      generateName: 'web-',
      namespace: 'ns',
      labels: { app: 'web' },
      annotations: { note: 'n' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
    });
    expect(pod.spec).toEqual({ containers: [{ name: 'c', image: 'nginx' }] });
    // A deep copy: changing the pod leaves the ReplicaSet alone.
    pod.spec.containers[0]!.image = 'other';
    pod.metadata.labels!.app = 'x';
    expect(rs.spec.template.spec.containers[0]!.image).toBe('nginx');
    expect(rs.spec.template.metadata.labels!.app).toBe('web');
  });

  it('drops the dash from a prefix that would be too long', () => {
    expect(podNamePrefix('a'.repeat(253))).toBe('a'.repeat(253));
  });
});
