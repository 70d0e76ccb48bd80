/**
 * The bootstrapsigner in a controller-manager (with the controller-manager's own identity)
 * against a real apiserver + etcd: a signing token Secret created with kubectl, as
 * Kubernetes documents, gets a cluster-info signature that verifies as `tkube join` checks
 * it; non-signing and expired tokens get none; deleting the Secret removes its signature;
 * a new kubeconfig is re-signed; a token's signature goes when it expires; and the
 * controller does not rewrite a ConfigMap that is already right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { configMaps, secrets } from '../../api/registry.js';
import type { ConfigMap } from '../../api/types/config.js';
import { bootstrapTokenSecret, generateToken, type BootstrapToken } from '../../cli/cluster/bootstrap-token.js';
import { clusterInfoKubeconfig, verifyClusterInfo } from '../../cli/cluster/cluster-info.js';
import type { TestControlPlane } from '../helpers/control-plane.js';
import { startControllersOnControlPlane, type ControllersOnControlPlane } from '../helpers/controller-manager-in-process.js';
import { waitFor } from '../helpers/wait.js';

let cp: TestControlPlane;
let env: ControllersOnControlPlane | undefined;

beforeAll(async () => {
  env = await startControllersOnControlPlane(['bootstrapsigner']);
  cp = env.cp;
}, 60_000);

afterAll(async () => {
  await env?.stop();
});

const tokens = () => cp.client.resource(secrets, 'kube-system');
const clusterInfo = () => cp.client.resource(configMaps, 'kube-public');
const getClusterInfo = () => clusterInfo().get('cluster-info') as Promise<ConfigMap>;
const signatureKeys = (cm: ConfigMap) => Object.keys(cm.data ?? {}).filter((k) => k.startsWith('jws-kubeconfig-')).sort();

async function createToken(opts: { ttlMs?: number; signing?: boolean } = {}): Promise<BootstrapToken> {
  const t = generateToken();
  const s = bootstrapTokenSecret(t, { ttlMs: opts.ttlMs ?? 3_600_000, description: 'tkube bootstrapsigner test' });
  if (opts.signing === false) s.data!['usage-bootstrap-signing'] = Buffer.from('false').toString('base64');
  await tokens().create(s);
  return t;
}

/** Resolves once cluster-info verifies with `token`, as `tkube join` checks it. */
function verifies(token: BootstrapToken, server?: string): Promise<ConfigMap> {
  return waitFor(`cluster-info to verify with token ${token.id}`, async () => {
    const cm = await getClusterInfo();
    const ep = verifyClusterInfo(cm.data, token);
    return (server === undefined || ep.server === server) && cm;
  }, 10_000);
}

describe('bootstrapsigner', () => {
  it('keeps the signatures of cluster-info in step with the bootstrap tokens', async () => {
    const first = clusterInfoKubeconfig({ server: 'https://10.213.0.1:6443', caData: 'Q0E=' });
    await clusterInfo().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig: first } });
    const nonSigning = await createToken({ signing: false });
    const expired = await createToken({ ttlMs: -3_600_000 });

    // A token created the way Kubernetes' documentation shows, with kubectl.
    const signer = generateToken();
    await cp.kubectl([
      'create', 'secret', 'generic', `bootstrap-token-${signer.id}`, '-n', 'kube-system', '--type', 'bootstrap.kubernetes.io/token',
      `--from-literal=token-id=${signer.id}`, `--from-literal=token-secret=${signer.secret}`, '--from-literal=usage-bootstrap-signing=true',
    ]);
    let cm = await verifies(signer);
    // The other two were created earlier on the same watch, so this reconcile saw them and left them out.
    expect(signatureKeys(cm)).toEqual([`jws-kubeconfig-${signer.id}`]);
    expect(() => verifyClusterInfo(cm.data, nonSigning)).toThrow(/no signature/);
    expect(() => verifyClusterInfo(cm.data, expired)).toThrow(/no signature/);

    // Settled: no further writes (the controller's own update does not make it write again).
    const settledVersion = cm.metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 500));
    expect((await getClusterInfo()).metadata.resourceVersion).toBe(settledVersion);

    // A second signing token, then a new kubeconfig: both signatures are made again over it.
    const second = await createToken();
    await verifies(second);
    const moved = clusterInfoKubeconfig({ server: 'https://10.213.0.2:6443', caData: 'Q0E=' });
    await clusterInfo().update({ ...(await getClusterInfo()), data: { ...(await getClusterInfo()).data, kubeconfig: moved } });
    await verifies(second, 'https://10.213.0.2:6443');
    cm = await verifies(signer, 'https://10.213.0.2:6443');

    // Deleting a token's Secret removes its signature and only its.
    await tokens().delete(`bootstrap-token-${signer.id}`);
    cm = await waitFor('the deleted token to lose its signature', async () => {
      const now = await getClusterInfo();
      return !signatureKeys(now).includes(`jws-kubeconfig-${signer.id}`) && now;
    }, 10_000);
    expect(signatureKeys(cm)).toEqual([`jws-kubeconfig-${second.id}`]);
    expect(verifyClusterInfo(cm.data, second).server).toBe('https://10.213.0.2:6443');

    // A token that expires in 4–5 s (whole seconds; the tokencleaner is not running) loses its signature when it does.
    const shortLived = await createToken({ ttlMs: 5_000 });
    await verifies(shortLived);
    await waitFor('the expired token to lose its signature', async () => !signatureKeys(await getClusterInfo()).includes(`jws-kubeconfig-${shortLived.id}`), 12_000);
    expect(signatureKeys(await getClusterInfo())).toEqual([`jws-kubeconfig-${second.id}`]);

    await clusterInfo().delete('cluster-info');
  });

  it('does not create cluster-info when there is none', async () => {
    await clusterInfo().delete('cluster-info').catch((err: unknown) => {
      if (!isApiError(err, 'NotFound')) throw err;
    });
    await createToken();
    await new Promise((r) => setTimeout(r, 500));
    await expect(getClusterInfo()).rejects.toMatchObject({ reason: 'NotFound' });
  });
});
