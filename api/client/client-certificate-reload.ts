/**
 * Follows a kubeconfig's client-certificate files, as client-go does for a kubeconfig that
 * names cert and key files: when the kubelet rotates its certificate it rewrites those
 * files, and a long-running process that shares the kubeconfig (the network agent) must
 * pick the new pair up before the old one expires. The files are re-read every interval;
 * a changed pair is handed to the client for its new connections.
 */
import type { Logger } from 'pino';
import { keyMatchesCertificate } from '../pki/index.js';
import { loadKubeconfig } from './kubeconfig.js';
import type { ClientCertificate } from './transport.js';

/** client-go's refresh period for file-based client certificates. */
export const CLIENT_CERTIFICATE_RELOAD_MS = 5 * 60_000;

export interface CertificateTaker {
  setClientCertificate(pair: ClientCertificate): void;
}

export interface ClientCertificateReloader {
  /** Re-reads the files now; true when a new pair was handed over. */
  check(): boolean;
  stop(): void;
}

export function reloadClientCertificate(
  client: CertificateTaker,
  kubeconfigPath: string,
  opts: { intervalMs?: number; logger?: Logger } = {},
): ClientCertificateReloader {
  const read = (): ClientCertificate | undefined => {
    const { cert, key } = loadKubeconfig(kubeconfigPath);
    return cert !== undefined && key !== undefined ? { cert, key } : undefined;
  };
  let current = read();
  const check = (): boolean => {
    let next: ClientCertificate | undefined;
    try {
      next = read();
    } catch (err) {
      // Caught mid-rewrite, or removed: keep the pair in use and look again next time.
      opts.logger?.warn({ kubeconfig: kubeconfigPath, err: (err as Error).message }, 'cannot re-read the client certificate; keeping the current one');
      return false;
    }
    if (!next || (current && next.cert === current.cert && next.key === current.key)) return false;
    if (!keyMatchesCertificate(next)) {
      // Read between the renames of the key and the certificate: the next look sees both.
      opts.logger?.warn({ kubeconfig: kubeconfigPath }, 'client key and certificate on disk do not match (being rewritten?); keeping the current pair');
      return false;
    }
    client.setClientCertificate(next);
    current = next;
    opts.logger?.info({ kubeconfig: kubeconfigPath }, 'client certificate changed on disk; new connections use it');
    return true;
  };
  const timer = setInterval(check, opts.intervalMs ?? CLIENT_CERTIFICATE_RELOAD_MS);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
