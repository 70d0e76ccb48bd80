/**
 * `tkube kubelet`: the node agent, until SIGINT/SIGTERM (containers keep running: they
 * belong to the runtime). With --bootstrap-kubeconfig it first obtains its client
 * certificate (TLS bootstrap); with --client-ca-file its API is HTTPS with client
 * certificate authentication, served with --tls-cert-file or else a certificate it
 * requests for its own names and addresses (a kubelet-serving CSR). With
 * --rotate-certificates (default true, as kubeadm sets it) the client certificate is
 * renewed through CSRs before it expires; with --rotate-server-certificates (default
 * true) so is a serving certificate obtained by CSR (one from --tls-cert-file is the
 * operator's to renew).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { KubeClient } from '../api/client/kube-client.js';
import { loadKubeconfig } from '../api/client/kubeconfig.js';
import type { CertificateRotationManager } from '../kubelet/cert-rotation.js';
import { startClientCertificateRotation, startServingCertificateRotation } from '../kubelet/cert-rotation-node.js';
import { startKubelet } from '../kubelet/kubelet.js';
import { ServingCertificate } from '../kubelet/serving-certificate.js';
import { currentClientCertificate, ensureClientCertificate, ensureServingCertificate } from '../kubelet/tls-bootstrap.js';
import { parseLabels, parseTaints } from '../kubelet/node-info.js';
import { onShutdownSignal } from './cmd-apiserver.js';
import { componentLogger } from './logger.js';

export interface KubeletFlags {
  kubeconfig: string;
  nodeName?: string;
  containerRuntimeEndpoint: string;
  rootDir: string;
  podLogsDir: string;
  port: number;
  address: string;
  nodeIp?: string;
  podCidr?: string;
  cniConfDir?: string;
  cniBridge: string;
  nodeLabels?: string;
  registerWithTaints?: string;
  clusterDns?: string;
  clusterDomain: string;
  cgroupRoot?: string;
  /** --bootstrap-kubeconfig: credentials for requesting the node's client certificate when --kubeconfig has none. */
  bootstrapKubeconfig?: string;
  /** --cert-dir: where bootstrapped certificates and keys are written (default <root-dir>/pki). */
  certDir?: string;
  /** --tls-cert-file / --tls-private-key-file: the API's serving certificate (else one is requested). */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** --client-ca-file: CAs of client certificates the API accepts; turns HTTPS and authentication on. */
  clientCaFile?: string;
  /** --rotate-certificates: renew the client certificate through CSRs before it expires. */
  rotateCertificates: boolean;
  /** --rotate-server-certificates: renew a serving certificate obtained by CSR before it expires. */
  rotateServerCertificates: boolean;
}

/** The first non-internal IPv4 address of the machine (the kubelet's default --node-ip). */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** The serving certificate from --tls-cert-file, or an empty one that a kubelet-serving CSR fills later. */
function servingCertificate(flags: KubeletFlags): ServingCertificate {
  if (flags.tlsCertFile || flags.tlsPrivateKeyFile) {
    if (!flags.tlsCertFile || !flags.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
    return new ServingCertificate({ cert: readFileSync(flags.tlsCertFile, 'utf8'), key: readFileSync(flags.tlsPrivateKeyFile, 'utf8') });
  }
  return new ServingCertificate();
}

/** The names and addresses the kubelet's serving certificate is requested for. */
function servingNames(nodeName: string, nodeIP: string): { dnsNames: string[]; ipAddresses: string[] } {
  return { dnsNames: [...new Set([os.hostname(), nodeName])], ipAddresses: [nodeIP] };
}

/** Requests the serving certificate once the Node is registered (its approval checks the Node's addresses); retries until it works. */
async function bootstrapServing(client: KubeClient, flags: KubeletFlags, nodeName: string, nodeIP: string, holder: ServingCertificate, signal: AbortSignal, log: Logger): Promise<void> {
  const { dnsNames, ipAddresses } = servingNames(nodeName, nodeIP);
  while (!signal.aborted) {
    try {
      const pair = await ensureServingCertificate({ client, nodeName, dnsNames, ipAddresses, certDir: certDirOf(flags), signal, logger: log });
      holder.set(pair);
      log.info('serving the kubelet API with the issued certificate');
      return;
    } catch (err) {
      if (signal.aborted) return;
      log.warn({ err: (err as Error).message }, 'could not obtain a serving certificate; retrying');
      await new Promise((r) => setTimeout(r, 10_000));
    }
  }
}

function certDirOf(flags: KubeletFlags): string {
  return flags.certDir ?? join(flags.rootDir, 'pki');
}

export async function runKubeletCommand(flags: KubeletFlags): Promise<void> {
  const log = componentLogger('kubelet');
  const nodeName = (flags.nodeName ?? os.hostname()).toLowerCase();
  const nodeIP = flags.nodeIp ?? defaultNodeIP();
  const stop = new AbortController();
  if (flags.bootstrapKubeconfig) {
    const how = await ensureClientCertificate({ kubeconfig: flags.kubeconfig, bootstrapKubeconfig: flags.bootstrapKubeconfig, certDir: certDirOf(flags), nodeName, signal: stop.signal, logger: log });
    log.info({ kubeconfig: flags.kubeconfig, how }, 'client certificate ready');
  }
  const certDir = certDirOf(flags);
  // The client certificate may be newer in --cert-dir (rotated) than in the kubeconfig.
  const clientCert = currentClientCertificate(flags.kubeconfig, certDir);
  const client = new KubeClient({ ...loadKubeconfig(flags.kubeconfig), ...(clientCert ?? {}), userAgent: 'tkube-kubelet' });
  const rotations: CertificateRotationManager[] = [];
  if (flags.rotateCertificates && clientCert) {
    const onExpired = () => {
      log.error({ certDir }, 'the client certificate has expired and the apiserver refuses it; exiting so that a restart bootstraps a new one (needs --bootstrap-kubeconfig)');
      process.exit(1);
    };
    rotations.push(startClientCertificateRotation({ client, nodeName, certDir, initial: clientCert, logger: log, onExpired }));
  } else if (flags.rotateCertificates) {
    log.info('the kubeconfig has no client certificate: nothing to rotate');
  }
  const serving = flags.clientCaFile ? servingCertificate(flags) : undefined;
  const kubelet = await startKubelet({
    client,
    nodeName,
    runtimeEndpoint: flags.containerRuntimeEndpoint,
    rootDir: flags.rootDir,
    podLogsDir: flags.podLogsDir,
    port: flags.port,
    address: flags.address,
    nodeIP,
    podCIDR: flags.podCidr,
    cniConfDir: flags.cniConfDir,
    cniBridge: flags.cniBridge,
    nodeLabels: parseLabels(flags.nodeLabels),
    taints: parseTaints(flags.registerWithTaints),
    clusterDNS: flags.clusterDns ? flags.clusterDns.split(',').filter(Boolean) : undefined,
    clusterDomain: flags.clusterDomain,
    cgroupRoot: flags.cgroupRoot,
    logger: log,
    serverTls: serving && flags.clientCaFile ? { certificate: serving, clientCA: readFileSync(flags.clientCaFile, 'utf8') } : undefined,
  });
  if (serving && !flags.tlsCertFile) {
    void (async () => {
      if (!serving.current()) await bootstrapServing(client, flags, nodeName, nodeIP, serving, stop.signal, log);
      if (flags.rotateServerCertificates && serving.current() && !stop.signal.aborted) {
        rotations.push(startServingCertificateRotation({ client, nodeName, certDir, serving, ...servingNames(nodeName, nodeIP), logger: log }));
      }
    })();
  }
  const sig = await onShutdownSignal();
  stop.abort();
  log.info({ signal: sig }, 'shutting down');
  await Promise.all(rotations.map((r) => r.stop()));
  await kubelet.stop();
  client.close();
  process.exit(0);
}
