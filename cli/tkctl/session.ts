/**
 * The connection of one tkctl invocation: the kubeconfig (from --kubeconfig, then
 * $KUBECONFIG, then $TKUBE_HOME/kubeconfig with TKUBE_HOME defaulting to ~/.tkube),
 * the client built from it, and the namespace the command works in.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { KubeClient } from '../../api/client/kube-client.js';
import { loadKubeconfig, type ConnectionConfig } from '../../api/client/kubeconfig.js';
import { CliError, type CliIO } from './io.js';

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface Session {
  conn: ConnectionConfig;
  client: KubeClient;
  /** -n, else the context's namespace. */
  namespace: string;
  /** True when -n was given (objects in files must then agree with it). */
  namespaceFromFlag: boolean;
  close(): void;
}

export function kubeconfigPath(opts: GlobalOptions, io: CliIO): string {
  if (opts.kubeconfig) return isAbsolute(opts.kubeconfig) ? opts.kubeconfig : resolve(io.cwd, opts.kubeconfig);
  // $KUBECONFIG may list several files; the first that exists wins (no merging here).
  const fromEnv = (io.env.KUBECONFIG ?? '').split(':').filter((p) => p !== '');
  const existing = fromEnv.find((p) => existsSync(p));
  if (existing) return existing;
  if (fromEnv.length > 0) return fromEnv[0]!;
  const home = io.env.TKUBE_HOME || join(io.env.HOME || homedir(), '.tkube');
  return join(home, 'kubeconfig');
}

export function openSession(opts: GlobalOptions, io: CliIO): Session {
  const path = kubeconfigPath(opts, io);
  if (!existsSync(path)) {
    throw new CliError(`no kubeconfig at ${path}: start a cluster with \`tkube up\` or pass --kubeconfig`);
  }
  let conn: ConnectionConfig;
  try {
    conn = loadKubeconfig(path, opts.context);
  } catch (err) {
    throw new CliError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A CLI should fail fast when the server is down, not retry for seconds.
  const client = new KubeClient({ ...conn, userAgent: 'tkctl', maxRetries: 1 });
  return {
    conn,
    client,
    namespace: opts.namespace || conn.namespace || 'default',
    namespaceFromFlag: !!opts.namespace,
    close: () => client.close(),
  };
}
