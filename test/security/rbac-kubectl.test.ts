/**
 * RBAC with the real kubectl: bootstrap roles (view, edit, cluster-admin) and a
 * namespaced Role, `kubectl auth can-i` (SelfSubjectAccessReview) and `--list`
 * (SelfSubjectRulesReview), and Kubernetes' 403 message for a refused write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecureControlPlane, type SecureControlPlane } from '../helpers/secure-control-plane.js';

/** The secure control plane (HTTPS, x509 users, Node+RBAC) with one client-certificate kubeconfig per user. */
interface Cluster {
  admin(args: string[]): Promise<{ stdout: string; stderr: string }>;
  kubectlAs(user: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  tryKubectlAs(user: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

let cp: SecureControlPlane;
let cluster: Cluster;

beforeAll(async () => {
  cp = await startSecureControlPlane();
  const users: Record<string, string[]> = { root: ['system:masters'], viewer: [], editor: [], dev: [], nobody: [] };
  const configs = new Map<string, string>();
  for (const [name, groups] of Object.entries(users)) configs.set(name, await cp.userKubeconfig(name, groups));
  const kubectlAs = (user: string, args: string[]) => cp.kubectl(configs.get(user)!, args);
  cluster = {
    admin: (args) => cp.kubectl(cp.adminKubeconfig, args),
    kubectlAs,
    async tryKubectlAs(user, args) {
      try {
        return { code: 0, ...(await kubectlAs(user, args)) };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
  };
  await cluster.admin(['create', 'namespace', 'team']);
  await cluster.admin(['create', 'clusterrolebinding', 'viewer-view', '--clusterrole=view', '--user=viewer']);
  await cluster.admin(['create', 'rolebinding', 'editor-edit', '--clusterrole=edit', '--user=editor', '-n', 'default']);
  await cluster.admin(['create', 'role', 'pod-maker', '--verb=create,get,list', '--resource=pods', '-n', 'team']);
  await cluster.admin(['create', 'rolebinding', 'dev-pods', '--role=pod-maker', '--user=dev', '-n', 'team']);
}, 60_000);

afterAll(async () => {
  await cp?.close();
});

async function canI(user: string, args: string[]): Promise<string> {
  const r = await cluster.tryKubectlAs(user, ['auth', 'can-i', ...args]);
  // kubectl prints yes/no and exits 0 for yes, 1 for no.
  expect(r.code === 0 ? 'yes' : 'no').toBe(r.stdout.trim());
  return r.stdout.trim();
}

describe('RBAC through kubectl', () => {
  it('lets a view user list but refuses its create with a 403 in Kubernetes wording', async () => {
    await cluster.admin(['create', 'configmap', 'seen', '--from-literal=a=b']);
    const list = await cluster.kubectlAs('viewer', ['get', 'configmaps', '-o', 'name']);
    expect(list.stdout).toContain('configmap/seen');
    const create = await cluster.tryKubectlAs('viewer', ['create', 'configmap', 'mine', '--from-literal=a=b']);
    expect(create.code).not.toBe(0);
    // kubectl create <kind> prefixes "error: failed to create configmap:" to the server's message.
    expect(create.stderr).toContain('configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "default"');
    // view does not include secrets.
    const secrets = await cluster.tryKubectlAs('viewer', ['get', 'secrets']);
    expect(secrets.stderr).toContain('Error from server (Forbidden): secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "default"');
  });

  it('answers kubectl auth can-i for cluster-admin, edit, view and a namespaced Role', async () => {
    expect(await canI('root', ['create', 'pods'])).toBe('yes');
    expect(await canI('root', ['delete', 'nodes'])).toBe('yes');
    expect(await canI('root', ['get', '/metrics'])).toBe('yes');

    expect(await canI('editor', ['create', 'deployments.apps'])).toBe('yes');
    expect(await canI('editor', ['get', 'secrets'])).toBe('yes');
    expect(await canI('editor', ['create', 'pods', '-n', 'kube-system'])).toBe('no');
    expect(await canI('editor', ['create', 'rolebindings'])).toBe('no'); // that is admin's

    expect(await canI('viewer', ['list', 'pods', '-n', 'kube-system'])).toBe('yes');
    expect(await canI('viewer', ['create', 'pods'])).toBe('no');
    expect(await canI('viewer', ['get', 'secrets'])).toBe('no');

    expect(await canI('dev', ['create', 'pods', '-n', 'team'])).toBe('yes');
    expect(await canI('dev', ['create', 'pods', '-n', 'default'])).toBe('no');
    expect(await canI('dev', ['delete', 'pods', '-n', 'team'])).toBe('no');

    expect(await canI('nobody', ['get', 'pods'])).toBe('no');
  });

  it('lists a user\'s rules with kubectl auth can-i --list', async () => {
    const { stdout } = await cluster.kubectlAs('dev', ['auth', 'can-i', '--list', '-n', 'team']);
    const podsLine = stdout.split('\n').find((l) => l.startsWith('pods '));
    expect(podsLine).toBeDefined();
    expect(podsLine).toMatch(/\[create get list\]/);
    // system:basic-user lets everyone create access reviews.
    expect(stdout).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io/);
  });

  it('lets a namespaced Role grant writes in its namespace only', async () => {
    await cluster.kubectlAs('dev', ['run', 'web', '--image=registry.invalid/web:1', '-n', 'team']);
    const other = await cluster.tryKubectlAs('dev', ['run', 'web', '--image=registry.invalid/web:1', '-n', 'default']);
    expect(other.stderr).toContain('pods is forbidden: User "dev" cannot create resource "pods" in API group "" in the namespace "default"');
  });

  it('serves the RBAC kinds to kubectl', async () => {
    const { stdout } = await cluster.admin(['get', 'clusterroles', 'view', 'edit', 'admin', 'cluster-admin', 'system:node', '-o', 'name']);
    expect(stdout.trim().split('\n')).toHaveLength(5);
    const roleRef = await cluster.tryKubectlAs('root', ['patch', 'rolebinding', 'dev-pods', '-n', 'team', '--type=merge', '-p', '{"roleRef":{"name":"other"}}']);
    expect(roleRef.stderr).toContain('cannot change roleRef');
  });
});
