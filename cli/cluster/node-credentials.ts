/**
 * The node's credentials for the API, obtained with the bootstrap token.
 *
 * SEAM (issue 8): while the API is plain HTTP without authentication the node needs none,
 * and its kubeconfig holds only the server. With TLS this becomes kubelet TLS
 * bootstrapping: authenticate with the bootstrap token (bearer "<id>.<secret>", user
 * system:bootstrap:<id> in group system:bootstrappers), create a CertificateSigningRequest
 * for CN=system:node:<name>, O=system:nodes, wait for it to be approved and signed, and
 * return the certificate and key written into the node's kubeconfig.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { BootstrapToken } from './bootstrap-token.js';
import type { ClusterEndpoint } from './cluster-info.js';

export interface NodeCredentials {
  clientCertificateData?: string;
  clientKeyData?: string;
}

export async function obtainNodeCredentials(_endpoint: ClusterEndpoint, _token: BootstrapToken, _nodeName: string): Promise<NodeCredentials> {
  return {};
}

export function nodeKubeconfigYaml(endpoint: ClusterEndpoint, nodeName: string, creds: NodeCredentials): string {
  const user = `system:node:${nodeName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tkube', cluster: { server: endpoint.server, ...(endpoint.caData ? { 'certificate-authority-data': endpoint.caData } : {}) } }],
    users: [
      {
        name: user,
        user: {
          ...(creds.clientCertificateData ? { 'client-certificate-data': creds.clientCertificateData } : {}),
          ...(creds.clientKeyData ? { 'client-key-data': creds.clientKeyData } : {}),
        },
      },
    ],
    contexts: [{ name: 'tkube', context: { cluster: 'tkube', user } }],
    'current-context': 'tkube',
    preferences: {},
  });
}

export function writeNodeKubeconfig(path: string, endpoint: ClusterEndpoint, nodeName: string, creds: NodeCredentials): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, nodeKubeconfigYaml(endpoint, nodeName, creds), { mode: 0o600 });
}
