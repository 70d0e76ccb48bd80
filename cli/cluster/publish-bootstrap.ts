/**
 * What `tkube init` publishes for joining nodes: the bootstrap token's Secret, and the
 * kube-public/cluster-info ConfigMap signed with every unexpired signing token, by the same
 * rules as the bootstrapsigner controller, which keeps the signatures current afterwards.
 */
import type { KubeClient } from '../../api/client/kube-client.js';
import { isApiError } from '../../api/meta/errors.js';
import { configMaps, secrets } from '../../api/registry.js';
import type { ConfigMap, Secret } from '../../api/types/config.js';
import { signingTokens } from '../../controllers/bootstrapsigner/signing-tokens.js';
import { bootstrapTokenSecret, type BootstrapToken } from './bootstrap-token.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, clusterInfoData, clusterInfoKubeconfig, type ClusterEndpoint } from './cluster-info.js';

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
    data: clusterInfoData(kubeconfig, signingTokens(all.items as Secret[], new Date()).tokens),
  } as ConfigMap);
}
