/**
 * RBAC escalation prevention with the real kubectl: a namespace admin may bind and write
 * roles within what they hold, and is refused cluster-admin with Kubernetes' message;
 * the `escalate` and `bind` verbs lift the check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecureControlPlane, type SecureControlPlane } from '../helpers/secure-control-plane.js';

let cp: SecureControlPlane;
let ann: string;

const admin = (args: string[]) => cp.kubectl(cp.adminKubeconfig, args);

async function tryKubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await cp.kubectl(kubeconfig, args)) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  cp = await startSecureControlPlane();
  ann = await cp.userKubeconfig('ann', ['team-a-admins']);
  await admin(['create', 'namespace', 'team-a']);
  await admin(['create', 'rolebinding', 'ann-admin', '--clusterrole=admin', '--group=team-a-admins', '-n', 'team-a']);
}, 60_000);

afterAll(async () => {
  await cp?.close();
});

describe('RBAC escalation prevention through kubectl', () => {
  it('refuses a namespace admin a RoleBinding to cluster-admin, and allows one to edit', async () => {
    const pwn = await tryKubectl(ann, ['create', 'rolebinding', 'pwn', '--clusterrole=cluster-admin', '--user=ann', '-n', 'team-a']);
    expect(pwn.code).toBe(1);
    expect(pwn.stderr).toContain(
      'rolebindings.rbac.authorization.k8s.io "pwn" is forbidden: user "ann" (groups=["team-a-admins" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:',
    );
    expect(pwn.stderr).toContain('{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
    expect(pwn.stderr).toContain('{NonResourceURLs:["*"], Verbs:["*"]}');
    const missing = await tryKubectl(cp.adminKubeconfig, ['get', 'rolebinding', 'pwn', '-n', 'team-a']);
    expect(missing.stderr).toContain('NotFound');

    const ok = await tryKubectl(ann, ['create', 'rolebinding', 'dev-edit', '--clusterrole=edit', '--user=dev', '-n', 'team-a']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('rolebinding.rbac.authorization.k8s.io/dev-edit created');
  });

  it('lets the admin write a Role within admin, and refuses growing it beyond', async () => {
    const created = await tryKubectl(ann, ['create', 'role', 'secret-reader', '--verb=get,list', '--resource=secrets', '-n', 'team-a']);
    expect(created.code).toBe(0);
    const grow = await tryKubectl(ann, [
      'patch', 'role', 'secret-reader', '-n', 'team-a', '--type=json',
      '-p', '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["nodes"],"verbs":["delete"]}}]',
    ]);
    expect(grow.code).toBe(1);
    expect(grow.stderr).toContain('roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "ann"');
    expect(grow.stderr).toContain('not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}');
  });

  it('lets a user with escalate create a ClusterRole beyond their rules, and with bind bind cluster-admin', async () => {
    await admin(['create', 'clusterrole', 'clusterrole-writer', '--verb=create', '--resource=clusterroles.rbac.authorization.k8s.io']);
    await admin(['create', 'clusterrolebinding', 'ann-clusterrole-writer', '--clusterrole=clusterrole-writer', '--user=ann']);
    const refused = await tryKubectl(ann, ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('clusterroles.rbac.authorization.k8s.io "node-reader" is forbidden: user "ann"');
    expect(refused.stderr).toContain('attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}');

    await admin(['create', 'clusterrole', 'escalator', '--verb=escalate', '--resource=clusterroles.rbac.authorization.k8s.io']);
    await admin(['create', 'clusterrolebinding', 'ann-escalator', '--clusterrole=escalator', '--user=ann']);
    await expect.poll(async () => (await tryKubectl(ann, ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes'])).code, { timeout: 5000 }).toBe(0);

    await admin(['create', 'role', 'bind-cluster-admin', '--verb=bind', '--resource=clusterroles.rbac.authorization.k8s.io', '--resource-name=cluster-admin', '-n', 'team-a']);
    await admin(['create', 'rolebinding', 'ann-bind-cluster-admin', '--role=bind-cluster-admin', '--user=ann', '-n', 'team-a']);
    await expect
      .poll(async () => (await tryKubectl(ann, ['create', 'rolebinding', 'ops', '--clusterrole=cluster-admin', '--user=ops', '-n', 'team-a'])).code, { timeout: 5000 })
      .toBe(0);
  });
});
