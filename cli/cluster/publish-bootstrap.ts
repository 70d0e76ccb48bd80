/**
 * What `tkube init` publishes for joining nodes: the bootstrap token's Secret, and the
 * kube-public/cluster-info ConfigMap signed with every unexpired signing token — the work
 * Kubernetes' bootstrap signer controller does, done here once at init.
 */
import type { KubeClient } from '../../api/client/kube-client.js';
import { isApiError } from '../../api/meta/errors.js';
import { configMaps, secrets } from '../../api/registry.js';
import type { ConfigMap, Secret } from '../../api/types/config.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapTokenSecret, type BootstrapToken } from './bootstrap-token.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, clusterInfoData, clusterInfoKubeconfig, type ClusterEndpoint } from './cluster-info.js';

/** Tokens whose Secrets allow signing and have not expired. */
export function signingTokens(list: Secret[], now = new Date()): BootstrapToken[] {
  const tokens: BootstrapToken[] = [];
  for (const s of list) {
    if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) continue;
    const v = (k: string) => (s.data?.[k] ? Buffer.from(s.data[k], 'base64').toString('utf8') : undefined);
    const id = v('token-id');
    const secret = v('token-secret');
    const expiration = v('expiration');
    if (!id || !secret || v('usage-bootstrap-signing') !== 'true') continue;
    if (expiration && Date.parse(expiration) <= now.getTime()) continue;
    tokens.push({ id, secret });
  }
  return tokens.sort((a, b) => a.id.localeCompare(b.id));
}

async function createOrReplace<T extends ConfigMap | Secret>(client: ReturnType<KubeClient['resource']>, obj: T): Promise<void> {
  try {
    await client.create(obj);
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
    const current = await client.get(obj.metadata.name!);
    await client.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } });
  }
}

export async function publishBootstrap(client: KubeClient, endpoint: ClusterEndpoint, token: BootstrapToken): Promise<void> {
  await createOrReplace(client.resource(secrets, 'kube-system'), bootstrapTokenSecret(token));
  const all = await client.resource(secrets, 'kube-system').list();
  const kubeconfig = clusterInfoKubeconfig(endpoint);
  await createOrReplace(client.resource(configMaps, CLUSTER_INFO_NAMESPACE), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CLUSTER_INFO_NAME, namespace: CLUSTER_INFO_NAMESPACE },
    data: clusterInfoData(kubeconfig, signingTokens(all.items as Secret[])),
  } as ConfigMap);
}
