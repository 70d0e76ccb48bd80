/**
 * The node's credentials, as kubelet TLS bootstrapping obtains them. `tkube join` writes
 * only what the discovery established: the cluster CA (trusted because cluster-info's
 * signature verified with the token) and a bootstrap kubeconfig holding the token. The
 * kubelet (--bootstrap-kubeconfig) then authenticates as system:bootstrap:<id>, sends a
 * CertificateSigningRequest for CN=system:node:<name>, O=system:nodes, which the
 * controller-manager approves and signs, and writes the node's kubeconfig
 * (<home>/kubelet.kubeconfig) with that certificate: the CA key never leaves the control
 * plane. The network agent uses the same node kubeconfig.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { writePublicFile } from '../../api/pki/index.js';
import type { BootstrapToken } from './bootstrap-token.js';
import type { ClusterEndpoint } from './cluster-info.js';
import { nodeStatePaths } from './component-plan.js';
import { writeBootstrapKubeconfig, type KubeletSecurityOptions } from './security.js';

/** Where a node keeps its credentials, under its home. */
export function nodeCredentialPaths(home: string) {
  return {
    /** Written by the kubelet once its client certificate is signed (apart from init's admin kubeconfig, so one machine can be both). */
    kubeconfig: join(home, 'kubelet.kubeconfig'),
    bootstrapKubeconfig: join(home, 'bootstrap-kubelet.kubeconfig'),
    caFile: join(home, 'pki', 'ca.crt'),
    /** The kubelet's bootstrapped client and serving certificates. */
    certDir: join(nodeStatePaths(home).kubeletRoot, 'pki'),
  };
}

/** The kubelet flags' part of the node plan. */
export function kubeletSecurityOf(home: string): KubeletSecurityOptions {
  const p = nodeCredentialPaths(home);
  return { bootstrapKubeconfig: p.bootstrapKubeconfig, clientCaFile: p.caFile, certDir: p.certDir };
}

/**
 * Writes the CA and the bootstrap kubeconfig. A node kubeconfig left by an earlier join
 * to another cluster (another CA) is removed with its certificates, so the kubelet
 * bootstraps again instead of presenting a certificate nobody trusts.
 */
export function writeNodeBootstrapCredentials(home: string, endpoint: ClusterEndpoint, token: BootstrapToken): void {
  if (!endpoint.caData) throw new Error('cluster-info carries no CA: the control plane does not serve TLS (was it set up by this version of `tkube init`?)');
  const p = nodeCredentialPaths(home);
  const ca = Buffer.from(endpoint.caData, 'base64').toString('utf8');
  if (existsSync(p.kubeconfig) && !sameCa(p.kubeconfig, ca)) {
    rmSync(p.kubeconfig, { force: true });
    rmSync(p.certDir, { recursive: true, force: true });
  }
  mkdirSync(join(home, 'pki'), { recursive: true });
  writePublicFile(p.caFile, ca);
  writeBootstrapKubeconfig(p.bootstrapKubeconfig, endpoint, token);
}

function sameCa(kubeconfig: string, caPem: string): boolean {
  try {
    return loadKubeconfig(kubeconfig).ca?.trim() === caPem.trim();
  } catch {
    return false;
  }
}

/** The node kubeconfig's client certificate, once the kubelet has written it. */
export function nodeKubeconfigReady(home: string): boolean {
  const p = nodeCredentialPaths(home);
  if (!existsSync(p.kubeconfig)) return false;
  try {
    const c = loadKubeconfig(p.kubeconfig);
    return !!c.cert && !!c.key;
  } catch {
    return false;
  }
}
