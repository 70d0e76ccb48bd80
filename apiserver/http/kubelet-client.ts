/**
 * How the apiserver connects to kubelets (kube-apiserver's --kubelet-client-certificate,
 * --kubelet-client-key, --kubelet-certificate-authority): HTTPS with the apiserver's
 * client certificate, verifying the kubelet's serving certificate against the CA when one
 * is given (without one the kubelet's certificate is not verified, as in Kubernetes).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

export interface KubeletClientConfig {
  /** PEM client certificate and key the apiserver presents to kubelets. */
  cert: string;
  key: string;
  /** PEM CA bundle that kubelet serving certificates must chain to. */
  ca?: string;
}

export interface KubeletClientFiles {
  certFile: string;
  keyFile: string;
  caFile?: string;
}

export function loadKubeletClient(files: KubeletClientFiles): KubeletClientConfig {
  const config: KubeletClientConfig = { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') };
  if (files.caFile) config.ca = readFileSync(files.caFile, 'utf8');
  return config;
}

/** TLS options for one connection to a kubelet at `host`. */
export function kubeletTlsOptions(config: KubeletClientConfig, host: string): ConnectionOptions {
  const opts: ConnectionOptions = { cert: config.cert, key: config.key, rejectUnauthorized: config.ca !== undefined };
  if (config.ca) opts.ca = config.ca;
  // Certificates name hosts, not IP literals, in SNI.
  if (!/^[\d.]+$/.test(host) && !host.includes(':')) opts.servername = host;
  return opts;
}
