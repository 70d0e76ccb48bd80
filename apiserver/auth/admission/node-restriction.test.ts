import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { leases, nodes, pods } from '../../../api/registry.js';
import { FakePolicySource } from '../authz/fake-policy-source.js';
import type { AdmissionRequest } from '../types.js';
import { forbiddenNodeLabels, nodeRestriction } from './node-restriction.js';

const nodeA = { name: 'system:node:a', groups: ['system:nodes'] };
const plugin = nodeRestriction(new FakePolicySource());
const node = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: {} });
const pod = (name: string, nodeName: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name }, spec: { nodeName } });

function req(r: Partial<AdmissionRequest> & Pick<AdmissionRequest, 'def' | 'operation' | 'name'>): AdmissionRequest {
  return { subresource: '', namespace: '', user: nodeA, dryRun: false, ...r };
}

describe('NodeRestriction', () => {
  it('lets a node modify only its own Node, without restricted labels', async () => {
    await expect(plugin.validate(req({ def: nodes, operation: 'UPDATE', name: 'a', object: node('a', { x: '1' }), oldObject: node('a') }))).resolves.toBeUndefined();
    await expect(plugin.validate(req({ def: nodes, operation: 'UPDATE', name: 'b', object: node('b'), oldObject: node('b') }))).rejects.toThrow(
      'nodes "b" is forbidden: node "a" is not allowed to modify node "b"',
    );
    await expect(
      plugin.validate(req({ def: nodes, operation: 'CREATE', name: 'a', object: node('a', { 'node-restriction.kubernetes.io/pool': 'x', 'kubernetes.io/hostname': 'a' }) })),
    ).rejects.toThrow('node "a" is not allowed to set the following labels: node-restriction.kubernetes.io/pool');
  });

  it('classifies labels as Kubernetes does', () => {
    expect(forbiddenNodeLabels(['kubernetes.io/hostname', 'node.kubernetes.io/exclude-from-external-load-balancers', 'example.com/x'])).toEqual([]);
    expect(forbiddenNodeLabels(['node-role.kubernetes.io/worker', 'foo.k8s.io/bar', 'a.node-restriction.kubernetes.io/b'])).toEqual([
      'a.node-restriction.kubernetes.io/b', 'foo.k8s.io/bar', 'node-role.kubernetes.io/worker',
    ]);
  });

  it('limits pod writes to status and deletion of pods bound to the node, and mirror pods', async () => {
    const status = (p: KubeObject) => req({ def: pods, operation: 'UPDATE', subresource: 'status', namespace: 'default', name: p.metadata.name!, object: p, oldObject: p });
    await expect(plugin.validate(status(pod('mine', 'a')))).resolves.toBeUndefined();
    await expect(plugin.validate(status(pod('theirs', 'b')))).rejects.toThrow('node "a" can only update pod status for pods with spec.nodeName set to itself');
    await expect(plugin.validate(req({ def: pods, operation: 'DELETE', namespace: 'default', name: 'theirs', oldObject: pod('theirs', 'b') }))).rejects.toThrow(
      'node "a" can only delete pods with spec.nodeName set to itself',
    );
    await expect(plugin.validate(req({ def: pods, operation: 'UPDATE', namespace: 'default', name: 'mine', object: pod('mine', 'a'), oldObject: pod('mine', 'a') }))).rejects.toThrow(
      'unexpected operation "UPDATE", node "a" can only create and delete mirror pods',
    );
    await expect(plugin.validate(req({ def: pods, operation: 'CREATE', namespace: 'default', name: 'x', object: pod('x', 'a') }))).rejects.toThrow(
      'pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods',
    );
  });

  it('keeps a node to its own Lease in kube-node-lease, and ignores other users', async () => {
    const lease = (ns: string, name: string) => req({ def: leases, operation: 'CREATE', namespace: ns, name: '', object: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: ns, name } } });
    await expect(plugin.validate(lease('kube-node-lease', 'a'))).resolves.toBeUndefined();
    await expect(plugin.validate(lease('kube-node-lease', 'b'))).rejects.toThrow('can only access node lease with the same name as the requesting node');
    await expect(plugin.validate(lease('default', 'a'))).rejects.toThrow('can only access leases in the "kube-node-lease" system namespace');
    await expect(plugin.validate({ ...req({ def: nodes, operation: 'UPDATE', name: 'b', object: node('b'), oldObject: node('b') }), user: { name: 'alice', groups: [] } })).resolves.toBeUndefined();
  });
});
