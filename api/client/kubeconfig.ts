/**
 * Reads a kubeconfig file (the format kubectl uses) into the options of KubeClient:
 * server, CA, client certificate and key, bearer token, TLS verification.
 * File references are resolved relative to the kubeconfig's directory, as kubectl does.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const Cluster = z.object({
  server: z.string().min(1),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
});

const User = z.object({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
});

const Context = z.object({
  cluster: z.string(),
  user: z.string().optional(),
  namespace: z.string().optional(),
});

export const Kubeconfig = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  'current-context': z.string().optional(),
  clusters: z.array(z.object({ name: z.string(), cluster: Cluster })).default([]),
  users: z.array(z.object({ name: z.string(), user: User.nullable().optional() })).nullable().default([]),
  contexts: z.array(z.object({ name: z.string(), context: Context })).default([]),
});
export type Kubeconfig = z.infer<typeof Kubeconfig>;

/** Connection settings resolved from one kubeconfig context. */
export interface ConnectionConfig {
  server: string;
  token?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  /** The context's default namespace ("default" when unset). */
  namespace: string;
}

export function parseKubeconfig(text: string): Kubeconfig {
  const result = Kubeconfig.safeParse(parse(text) ?? {});
  if (!result.success) throw new Error(`invalid kubeconfig: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Resolves a context (the current one by default) to connection settings. */
export function resolveContext(config: Kubeconfig, baseDir: string, contextName?: string): ConnectionConfig {
  const name = contextName ?? config['current-context'];
  if (!name) throw new Error('kubeconfig has no current-context and none was given');
  const ctx = config.contexts.find((c) => c.name === name)?.context;
  if (!ctx) throw new Error(`kubeconfig context "${name}" not found`);
  const cluster = config.clusters.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster) throw new Error(`kubeconfig cluster "${ctx.cluster}" (context "${name}") not found`);
  const user = ctx.user ? (config.users ?? []).find((u) => u.name === ctx.user)?.user ?? undefined : undefined;
  if (ctx.user && user === undefined && !(config.users ?? []).some((u) => u.name === ctx.user)) {
    throw new Error(`kubeconfig user "${ctx.user}" (context "${name}") not found`);
  }

  const file = (p: string) => readFileSync(isAbsolute(p) ? p : resolve(baseDir, p), 'utf8');
  const data = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const pick = (inline: string | undefined, path: string | undefined) =>
    inline !== undefined ? data(inline) : path !== undefined ? file(path) : undefined;

  const out: ConnectionConfig = { server: cluster.server, namespace: ctx.namespace || 'default' };
  const ca = pick(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca !== undefined) out.ca = ca;
  if (cluster['insecure-skip-tls-verify']) out.insecureSkipTLSVerify = true;
  if (cluster['tls-server-name']) out.tlsServerName = cluster['tls-server-name'];
  if (user) {
    const cert = pick(user['client-certificate-data'], user['client-certificate']);
    const key = pick(user['client-key-data'], user['client-key']);
    if (cert !== undefined) out.cert = cert;
    if (key !== undefined) out.key = key;
    if (user.token) out.token = user.token;
    else if (user.tokenFile) out.token = file(user.tokenFile).trim();
  }
  return out;
}

export function loadKubeconfig(path: string, contextName?: string): ConnectionConfig {
  return resolveContext(parseKubeconfig(readFileSync(path, 'utf8')), dirname(resolve(path)), contextName);
}
