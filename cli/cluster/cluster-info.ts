/**
 * kube-public/cluster-info, as kubeadm publishes it: a `kubeconfig` key holding a
 * kubeconfig with the cluster's server URL (and CA once the API serves TLS), and one
 * `jws-kubeconfig-<token-id>` key per signing bootstrap token: a detached JWS of that
 * kubeconfig text. The ConfigMap is readable without credentials; `tkube join` trusts what
 * it reads only if the signature made with its token's secret matches.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parse, stringify } from 'yaml';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, JWS_KEY_PREFIX, withSignatures } from '../../api/bootstrap/cluster-info-signatures.js';
import { detachedSignatureIsValid } from '../../api/bootstrap/jws.js';
import type { ConfigMap } from '../../api/types/config.js';
import type { BootstrapToken } from './bootstrap-token.js';

// The signing lives in api/bootstrap, shared with the bootstrapsigner controller.
export { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, JWS_KEY_PREFIX };

export interface ClusterEndpoint {
  server: string;
  /** PEM of the cluster CA, base64 (kubeconfig's certificate-authority-data); absent while the API is plain HTTP. */
  caData?: string;
}

/** The kubeconfig text cluster-info carries: one nameless cluster, no users, no contexts. */
export function clusterInfoKubeconfig(ep: ClusterEndpoint): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { ...(ep.caData ? { 'certificate-authority-data': ep.caData } : {}), server: ep.server } }],
    contexts: null,
    'current-context': '',
    preferences: {},
    users: null,
  });
}

/** The ConfigMap's data: the kubeconfig and one signature per token, as the bootstrapsigner controller computes it. */
export function clusterInfoData(kubeconfig: string, tokens: BootstrapToken[]): Record<string, string> {
  return withSignatures({ kubeconfig }, tokens);
}

export function clusterInfoConfigMap(kubeconfig: string, tokens: BootstrapToken[]): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CLUSTER_INFO_NAME, namespace: CLUSTER_INFO_NAMESPACE },
    data: clusterInfoData(kubeconfig, tokens),
  } as ConfigMap;
}

/**
 * Checks cluster-info's data against the token and returns the endpoint it describes.
 * Throws one-line errors: no signature for this token id, a signature that does not
 * verify, or a kubeconfig without a cluster.
 */
export function verifyClusterInfo(data: Record<string, string> | undefined, token: BootstrapToken): ClusterEndpoint {
  const kubeconfig = data?.kubeconfig;
  if (!kubeconfig) throw new Error('cluster-info has no kubeconfig: is this a tkube (or kubeadm) control plane?');
  const signature = data[`${JWS_KEY_PREFIX}${token.id}`];
  if (!signature) throw new Error(`cluster-info has no signature for token id "${token.id}": the token is unknown or has expired (create one on the control plane)`);
  if (!detachedSignatureIsValid(signature, kubeconfig, token.id, token.secret)) {
    throw new Error(`cluster-info's signature does not verify with this token: refusing to trust this server (wrong token secret, or not the cluster you meant)`);
  }
  const doc = parse(kubeconfig) as { clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[] } | null;
  const cluster = doc?.clusters?.[0]?.cluster;
  if (!cluster?.server) throw new Error('cluster-info names no server');
  return { server: cluster.server, ...(cluster['certificate-authority-data'] ? { caData: cluster['certificate-authority-data'] } : {}) };
}

/**
 * GETs the cluster-info ConfigMap without credentials. Over https the server certificate
 * is not checked here, as kubeadm's token discovery does: the JWS is what establishes
 * trust, and the CA it carries is used from then on.
 */
export function fetchClusterInfo(server: string, timeoutMs = 5_000): Promise<ConfigMap> {
  const url = new URL(`/api/v1/namespaces/${CLUSTER_INFO_NAMESPACE}/configmaps/${CLUSTER_INFO_NAME}`, server);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { Accept: 'application/json' }, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${url.href}: HTTP ${res.statusCode}${res.statusCode === 404 ? ' (no cluster-info: was the control plane set up with `tkube init`?)' : ''}`));
          return;
        }
        try {
          resolve(JSON.parse(body) as ConfigMap);
        } catch {
          reject(new Error(`GET ${url.href}: the answer is not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.href}: no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}
