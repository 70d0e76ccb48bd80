/** Writes the kubeconfig that kubectl and tkctl use to reach a tkube cluster. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  clusterName?: string;
  user?: string;
}

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'tkube';
  const user = opts.user ?? 'admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: opts.server } }],
    users: [{ name: user, user: {} }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, opts: KubeconfigOptions): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}
