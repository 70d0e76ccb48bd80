import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { NodeGraph, podReferences } from './node-graph.js';

function pod(name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name, resourceVersion: '1' }, spec: { nodeName, containers: [], ...spec } };
}

const everything = {
  serviceAccountName: 'runner',
  imagePullSecrets: [{ name: 'pull' }],
  containers: [{ name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'env-cm', key: 'k' } } }], envFrom: [{ secretRef: { name: 'from-secret' } }] }],
  initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'init-cm' } }] }],
  volumes: [
    { name: 'a', secret: { secretName: 'vol-secret' } },
    { name: 'b', configMap: { name: 'vol-cm' } },
    { name: 'c', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'd', projected: { sources: [{ secret: { name: 'proj-secret' } }, { configMap: { name: 'proj-cm' } }] } },
  ],
};

describe('podReferences', () => {
  it('finds every secret, configmap, claim and the service account a pod uses', () => {
    const refs = podReferences(pod('p', 'a', everything)).map((r) => `${r.kind}/${r.name}`).sort();
    expect(refs).toEqual(
      [
        'configmaps/env-cm', 'configmaps/init-cm', 'configmaps/proj-cm', 'configmaps/vol-cm',
        'persistentvolumeclaims/data',
        'secrets/env-secret', 'secrets/from-secret', 'secrets/proj-secret', 'secrets/pull', 'secrets/vol-secret',
        'serviceaccounts/runner',
      ].sort(),
    );
  });
});

describe('NodeGraph', () => {
  it('relates a node to what its pods reference, and only its pods', () => {
    const g = new NodeGraph();
    g.reset([pod('p1', 'a', everything), pod('p2', 'b', { volumes: [{ name: 'x', secret: { secretName: 'b-only' } }] })]);
    expect(g.references('a', 'secrets', 'ns', 'vol-secret')).toBe(true);
    expect(g.references('a', 'serviceaccounts', 'ns', 'runner')).toBe(true);
    expect(g.references('a', 'secrets', 'ns', 'b-only')).toBe(false);
    expect(g.references('b', 'secrets', 'ns', 'b-only')).toBe(true);
    expect(g.references('a', 'secrets', 'other-ns', 'vol-secret')).toBe(false);
    expect(g.nodeOfPod('ns', 'p1')).toBe('a');
  });

  it('follows binding, rescheduling and deletion, counting shared references', () => {
    const g = new NodeGraph();
    const unbound = pod('p', undefined, { volumes: [{ name: 'x', secret: { secretName: 's' } }] });
    g.reset([unbound]);
    expect(g.references('a', 'secrets', 'ns', 's')).toBe(false);
    const bound = pod('p', 'a', { volumes: [{ name: 'x', secret: { secretName: 's' } }] });
    g.apply({ type: 'MODIFIED', key: '/registry/pods/ns/p', object: bound, prev: unbound, revision: 2 });
    expect(g.references('a', 'secrets', 'ns', 's')).toBe(true);
    const twin = pod('q', 'a', { volumes: [{ name: 'x', secret: { secretName: 's' } }] });
    g.apply({ type: 'ADDED', key: '/registry/pods/ns/q', object: twin, revision: 3 });
    g.apply({ type: 'DELETED', key: '/registry/pods/ns/p', object: bound, prev: bound, revision: 4 });
    expect(g.references('a', 'secrets', 'ns', 's')).toBe(true); // q still uses it
    g.apply({ type: 'DELETED', key: '/registry/pods/ns/q', object: twin, prev: twin, revision: 5 });
    expect(g.references('a', 'secrets', 'ns', 's')).toBe(false);
    expect(g.nodeOfPod('ns', 'q')).toBeUndefined();
  });
});
