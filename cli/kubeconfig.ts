/**
 * Writes the kubeconfig that kubectl and tkctl use to reach a tkube cluster: the server,
 * and when the cluster is secured the CA to trust and the user's credentials (a client
 * certificate and key, or a bearer token), embedded so the file stands alone. Mode 0600.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  clusterName?: string;
  user?: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  caCert?: string;
  /** PEM client certificate and key (x509 authentication). */
  clientCert?: string;
  clientKey?: string;
  /** A bearer token (static token, bootstrap token, service-account token). */
  token?: string;
  namespace?: string;
}

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'tkube';
  const user = opts.user ?? 'admin';
  const clusterEntry: Record<string, string> = { server: opts.server };
  if (opts.caCert) clusterEntry['certificate-authority-data'] = b64(opts.caCert);
  const userEntry: Record<string, string> = {};
  if (opts.clientCert && opts.clientKey) {
    userEntry['client-certificate-data'] = b64(opts.clientCert);
    userEntry['client-key-data'] = b64(opts.clientKey);
  } else if (opts.clientCert || opts.clientKey) {
    throw new Error('a kubeconfig needs both the client certificate and its key');
  }
  if (opts.token) userEntry.token = opts.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: clusterEntry }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: opts.namespace ?? 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, opts: KubeconfigOptions): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
  // The file may have existed with a wider mode; it holds credentials now.
  chmodSync(path, 0o600);
}
