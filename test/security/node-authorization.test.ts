/**
 * The Node authorizer and NodeRestriction through the real kubectl, with a node's
 * client certificate (CN=system:node:a, O=system:nodes) on the secure control plane:
 * node a may change only itself and its pods' status, and read only the secrets its pods use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/meta/errors.js';
import { pods } from '../../api/registry.js';
import { startSecureControlPlane, type SecureControlPlane } from '../helpers/secure-control-plane.js';

let cp: SecureControlPlane;
let nodeA: string;

const podYaml = (name: string, node: string, secret: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  nodeName: ${node}
  containers: [{name: c, image: registry.invalid/app:1}]
  volumes: [{name: s, secret: {secretName: ${secret}}}]
`;

async function attempt(kubeconfig: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await cp.kubectl(kubeconfig, args, { input })) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  cp = await startSecureControlPlane();
  nodeA = await cp.userKubeconfig('system:node:a', ['system:nodes']);
  const admin = (args: string[], input?: string) => cp.kubectl(cp.adminKubeconfig, args, { input });
  for (const n of ['a', 'b']) await admin(['apply', '-f', '-'], `apiVersion: v1\nkind: Node\nmetadata: {name: ${n}}\n`);
  await admin(['create', 'secret', 'generic', 'a-secret', '--from-literal=k=a']);
  await admin(['create', 'secret', 'generic', 'b-secret', '--from-literal=k=b']);
  await admin(['apply', '-f', '-'], podYaml('a-pod', 'a', 'a-secret') + '---\n' + podYaml('b-pod', 'b', 'b-secret'));
}, 60_000);

afterAll(async () => {
  await cp?.close();
});

describe('node a, as itself', () => {
  it('may change its own Node but not node b', async () => {
    await cp.kubectl(nodeA, ['label', 'node', 'a', 'example.com/rack=r1']);
    const other = await attempt(nodeA, ['label', 'node', 'b', 'example.com/rack=r1']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('nodes "b" is forbidden: node "a" is not allowed to modify node "b"');
    const patch = await attempt(nodeA, ['patch', 'node', 'b', '--type=merge', '-p', '{"spec":{"unschedulable":true}}']);
    expect(patch.stderr).toContain('Error from server (Forbidden): nodes "b" is forbidden: node "a" is not allowed to modify node "b"');
    // Nor the labels reserved for the control plane on its own Node.
    const role = await attempt(nodeA, ['label', 'node', 'a', 'node-role.kubernetes.io/control-plane=']);
    expect(role.stderr).toContain('is not allowed to modify labels: node-role.kubernetes.io/control-plane');
  });

  it('may update the status of its pods only', async () => {
    // As a kubelet does it: a status patch without reading pods/status first (kubectl patch would).
    const client = cp.clientFor(nodeA).resource(pods, 'default');
    const running = { status: { phase: 'Running' } };
    const own = await client.patchStatus('a-pod', 'merge', running);
    expect(own.status?.phase).toBe('Running');
    const err = await client.patchStatus('b-pod', 'merge', running).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(403);
    expect((err as ApiError).message).toBe('pods "b-pod" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself');
    const { stdout } = await cp.kubectl(cp.adminKubeconfig, ['get', 'pod', 'b-pod', '-o', 'jsonpath={.status.phase}']);
    expect(stdout).toBe('Pending');
    // Deleting: only its own pods either.
    const del = await client.delete('b-pod').catch((e: unknown) => e);
    expect((del as ApiError).message).toBe('pods "b-pod" is forbidden: node "a" can only delete pods with spec.nodeName set to itself');
  });

  it('reads a secret its pod uses, and no other', async () => {
    const own = await cp.kubectl(nodeA, ['get', 'secret', 'a-secret', '-o', 'jsonpath={.data.k}']);
    expect(Buffer.from(own.stdout, 'base64').toString()).toBe('a');
    const other = await attempt(nodeA, ['get', 'secret', 'b-secret']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(
      `Error from server (Forbidden): secrets "b-secret" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'a' and this object`,
    );
    const list = await attempt(nodeA, ['get', 'secrets']);
    expect(list.stderr).toContain('can only get individual resources of this type');
  });

  it('gains access when a pod using the secret is bound to it, and may create only mirror pods', async () => {
    await cp.kubectl(cp.adminKubeconfig, ['apply', '-f', '-'], { input: podYaml('a-pod-2', 'a', 'b-secret') });
    await cp.kubectl(nodeA, ['get', 'secret', 'b-secret']);
    const create = await attempt(nodeA, ['create', '-f', '-'], podYaml('sneaky', 'a', 'a-secret'));
    expect(create.stderr).toContain('pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods');
  });
});
