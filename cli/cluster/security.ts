/**
 * The security of a tkube cluster as `tkube init`, `tkube join`, `tkube up --nodes` and
 * single-node `tkube up` set it up: one PKI under <home>/pki (kubeadm's file names), the
 * apiserver's and controller-manager's security flags, the components' kubeconfigs, the
 * kubelet's TLS-bootstrap flags, and the RBAC that lets anonymous joiners read
 * kube-public/cluster-info. Shared API (W3's single-node `tkube up` builds on it):
 *
 *   pkiPaths(pkiDir): PkiPaths                                        where every file is
 *   ensureClusterPki(home, sans): Promise<ClusterPki>                 <home>/pki; SANs + host name
 *   apiserverSecurityArgs(pkiDir): string[]                           HTTPS, x509/bootstrap/SA authn, Node,RBAC, kubelet client
 *   controllerManagerSecurityArgs(pkiDir): string[]                   CSR signing with the CA, --root-ca-file
 *   writeComponentKubeconfigs(home, server, pkiDir): ComponentKubeconfigs
 *                                                                     admin (<home>/kubeconfig), controller-manager, scheduler
 *   componentKubeconfigPaths(home): ComponentKubeconfigs             the same paths, nothing written
 *   writeBootstrapKubeconfig(path, endpoint, token): void             the kubelet's --bootstrap-kubeconfig
 *   kubeletSecurityArgs({ bootstrapKubeconfig, clientCaFile, certDir? }): string[]
 *   ensureClusterInfoReadable(client): Promise<void>                  Role + RoleBinding for system:anonymous, as kubeadm
 *   ensureNodeCertificateRotationApproved(client): Promise<void>      kubeadm:node-autoapprove-certificate-rotation
 *   SERVICE_ACCOUNT_ISSUER
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../../api/client/kube-client.js';
import { isApiError } from '../../api/meta/errors.js';
import { createClusterPki, type CertFiles, type ClusterPki } from '../../api/pki/index.js';
import { clusterRoleBindings, roleBindings, roles } from '../../api/registry.js';
import type { ClusterRoleBinding, Role, RoleBinding } from '../../api/types/rbac.js';
import { writeKubeconfig } from '../kubeconfig.js';
import type { BootstrapToken } from './bootstrap-token.js';
import { formatToken } from './bootstrap-token.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, type ClusterEndpoint } from './cluster-info.js';

/** The issuer (iss) of service-account tokens; in-cluster clients know the apiserver by this name. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Where createClusterPki's files are, without reading them. */
export type PkiPaths = ClusterPki['files'] & { dir: string };

/** The files createClusterPki writes under pkiDir (kubeadm's names). */
export function pkiPaths(pkiDir: string): PkiPaths {
  const pair = (name: string): CertFiles => ({ cert: join(pkiDir, `${name}.crt`), key: join(pkiDir, `${name}.key`) });
  return {
    dir: pkiDir,
    ca: pair('ca'),
    apiserver: pair('apiserver'),
    apiserverKubeletClient: pair('apiserver-kubelet-client'),
    admin: pair('admin'),
    controllerManager: pair('controller-manager'),
    scheduler: pair('scheduler'),
    serviceAccount: { key: join(pkiDir, 'sa.key'), pub: join(pkiDir, 'sa.pub') },
  };
}

/**
 * The cluster's certificates under <home>/pki, kept across restarts. The apiserver's
 * certificate names 127.0.0.1, localhost, kubernetes, kubernetes.default(.svc(.cluster.local))
 * (createClusterPki's defaults), this machine's host name, and the given SANs.
 */
export function ensureClusterPki(home: string, sans: { dnsNames?: string[]; ipAddresses?: string[] }): Promise<ClusterPki> {
  const host = hostname().toLowerCase();
  return createClusterPki(join(home, 'pki'), {
    apiserverSans: { dnsNames: [...(host ? [host] : []), ...(sans.dnsNames ?? [])], ipAddresses: sans.ipAddresses ?? [] },
  });
}

/** kube-apiserver's security flags for a cluster whose PKI is in pkiDir. */
export function apiserverSecurityArgs(pkiDir: string): string[] {
  const p = pkiPaths(pkiDir);
  return [
    '--tls-cert-file', p.apiserver.cert,
    '--tls-private-key-file', p.apiserver.key,
    '--client-ca-file', p.ca.cert,
    '--authorization-mode', 'Node,RBAC',
    '--enable-bootstrap-token-auth',
    '--service-account-signing-key-file', p.serviceAccount.key,
    '--service-account-key-file', p.serviceAccount.pub,
    '--service-account-issuer', SERVICE_ACCOUNT_ISSUER,
    '--kubelet-client-certificate', p.apiserverKubeletClient.cert,
    '--kubelet-client-key', p.apiserverKubeletClient.key,
    '--kubelet-certificate-authority', p.ca.cert,
  ];
}

/** kube-controller-manager's flags: it signs approved CSRs with the cluster CA and publishes the CA as kube-root-ca.crt. */
export function controllerManagerSecurityArgs(pkiDir: string): string[] {
  const p = pkiPaths(pkiDir);
  return ['--cluster-signing-cert-file', p.ca.cert, '--cluster-signing-key-file', p.ca.key, '--root-ca-file', p.ca.cert];
}

export interface ComponentKubeconfigs {
  /** kubernetes-admin, O=system:masters: <home>/kubeconfig. */
  admin: string;
  /** CN=system:kube-controller-manager. */
  controllerManager: string;
  /** CN=system:kube-scheduler. */
  scheduler: string;
}

/** Where writeComponentKubeconfigs puts them. */
export function componentKubeconfigPaths(home: string): ComponentKubeconfigs {
  return {
    admin: join(home, 'kubeconfig'),
    controllerManager: join(home, 'controller-manager.kubeconfig'),
    scheduler: join(home, 'scheduler.kubeconfig'),
  };
}

/** Writes the admin, controller-manager and scheduler kubeconfigs (CA and client certificate embedded, 0600). */
export function writeComponentKubeconfigs(home: string, server: string, pkiDir: string): ComponentKubeconfigs {
  const p = pkiPaths(pkiDir);
  const caCert = readFileSync(p.ca.cert, 'utf8');
  const out = componentKubeconfigPaths(home);
  const write = (path: string, user: string, files: CertFiles) =>
    writeKubeconfig(path, { server, user, caCert, clientCert: readFileSync(files.cert, 'utf8'), clientKey: readFileSync(files.key, 'utf8') });
  write(out.admin, 'kubernetes-admin', p.admin);
  write(out.controllerManager, 'system:kube-controller-manager', p.controllerManager);
  write(out.scheduler, 'system:kube-scheduler', p.scheduler);
  return out;
}

/** The kubeconfig the kubelet bootstraps with: the discovered server and CA, and the bootstrap token. */
export function writeBootstrapKubeconfig(path: string, endpoint: ClusterEndpoint, token: BootstrapToken): void {
  writeKubeconfig(path, {
    server: endpoint.server,
    user: 'tls-bootstrap-token-user',
    ...(endpoint.caData ? { caCert: Buffer.from(endpoint.caData, 'base64').toString('utf8') } : {}),
    token: formatToken(token),
  });
}

export interface KubeletSecurityOptions {
  bootstrapKubeconfig: string;
  /** The cluster CA: client certificates of callers of the kubelet API are checked against it. */
  clientCaFile: string;
  /** Where the bootstrapped client and serving certificates go (default <root-dir>/pki). */
  certDir?: string;
}

/** The kubelet's flags: TLS bootstrap of its client certificate, HTTPS API (serving certificate by CSR) for the CA's clients. */
export function kubeletSecurityArgs(o: KubeletSecurityOptions): string[] {
  return ['--bootstrap-kubeconfig', o.bootstrapKubeconfig, '--client-ca-file', o.clientCaFile, ...(o.certDir ? ['--cert-dir', o.certDir] : [])];
}

export const CLUSTER_INFO_READER = 'kubeadm:bootstrap-signer-clusterinfo';

/**
 * kubeadm's Role and RoleBinding: system:anonymous may get kube-public/cluster-info, so
 * that a joining node reads it before it trusts the server (the token never leaves the
 * node before the signature is checked). This is the only grant anonymous users have.
 */
export function clusterInfoReaderRbac(): { role: Role; binding: RoleBinding } {
  const metadata = { name: CLUSTER_INFO_READER, namespace: CLUSTER_INFO_NAMESPACE };
  return {
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [CLUSTER_INFO_NAME] }],
    } as Role,
    binding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CLUSTER_INFO_READER },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }],
    } as RoleBinding,
  };
}

/** Creates the cluster-info reader Role and RoleBinding (kept when they exist). */
export async function ensureClusterInfoReadable(client: KubeClient): Promise<void> {
  const { role, binding } = clusterInfoReaderRbac();
  const keep = (err: unknown) => {
    if (!isApiError(err, 'AlreadyExists')) throw err;
  };
  await client.resource(roles, CLUSTER_INFO_NAMESPACE).create(role).catch(keep);
  await client.resource(roleBindings, CLUSTER_INFO_NAMESPACE).create(binding).catch(keep);
}

export const NODE_AUTOAPPROVE_ROTATION = 'kubeadm:node-autoapprove-certificate-rotation';
const SELF_NODE_CLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient';

/**
 * kubeadm's ClusterRoleBinding that lets every node (group system:nodes) have the renewal
 * of its own client certificate auto-approved: the csrapproving controller asks whether
 * the requester may create certificatesigningrequests/selfnodeclient.
 */
export function nodeCertificateRotationBinding(): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: NODE_AUTOAPPROVE_ROTATION },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SELF_NODE_CLIENT_ROLE },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }],
  } as ClusterRoleBinding;
}

/** Creates kubeadm:node-autoapprove-certificate-rotation (kept when it exists). */
export async function ensureNodeCertificateRotationApproved(client: KubeClient): Promise<void> {
  await client
    .resource(clusterRoleBindings)
    .create(nodeCertificateRotationBinding())
    .catch((err: unknown) => {
      if (!isApiError(err, 'AlreadyExists')) throw err;
    });
}
