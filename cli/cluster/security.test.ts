import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { parseCertificate } from '../../api/pki/index.js';
import {
  apiserverSecurityArgs,
  clusterInfoReaderRbac,
  controllerManagerSecurityArgs,
  ensureClusterPki,
  kubeletSecurityArgs,
  nodeCertificateRotationBinding,
  pkiPaths,
  writeBootstrapKubeconfig,
  writeComponentKubeconfigs,
} from './security.js';

describe('cluster security setup', () => {
  const home = mkdtempSync(join(tmpdir(), 'tkube-test-security-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('issues the PKI under <home>/pki with the advertise address and host name in the serving certificate', async () => {
    const pki = await ensureClusterPki(home, { ipAddresses: ['10.213.0.1'] });
    expect(pki.dir).toBe(join(home, 'pki'));
    const serving = parseCertificate(readFileSync(pkiPaths(pki.dir).apiserver.cert, 'utf8'));
    expect(serving.ipAddresses).toEqual(expect.arrayContaining(['127.0.0.1', '10.213.0.1']));
    expect(serving.dnsNames).toEqual(expect.arrayContaining(['kubernetes.default.svc.cluster.local', 'localhost', hostname().toLowerCase()]));
    expect(statSync(pkiPaths(pki.dir).ca.key).mode & 0o777).toBe(0o600);
  });

  it('writes kubeconfigs with the CA and each component its own certificate', () => {
    const k = writeComponentKubeconfigs(home, 'https://10.213.0.1:6443', join(home, 'pki'));
    expect(k.admin).toBe(join(home, 'kubeconfig'));
    const subject = (path: string) => {
      const c = loadKubeconfig(path);
      expect(c.server).toBe('https://10.213.0.1:6443');
      expect(c.ca).toContain('BEGIN CERTIFICATE');
      return parseCertificate(c.cert!);
    };
    expect(subject(k.admin)).toMatchObject({ organizations: ['system:masters'] });
    expect(subject(k.controllerManager)).toMatchObject({ commonName: 'system:kube-controller-manager' });
    expect(subject(k.controllerManager).organizations).not.toContain('system:masters');
    expect(subject(k.scheduler)).toMatchObject({ commonName: 'system:kube-scheduler' });
    expect(statSync(k.admin).mode & 0o777).toBe(0o600);
  });

  it('writes the bootstrap kubeconfig with the discovered CA and the token', () => {
    const path = join(home, 'bootstrap-kubelet.kubeconfig');
    const ca = loadKubeconfig(join(home, 'kubeconfig')).ca!;
    writeBootstrapKubeconfig(path, { server: 'https://10.213.0.1:6443', caData: Buffer.from(ca).toString('base64') }, { id: 'abcdef', secret: '0123456789abcdef' });
    expect(loadKubeconfig(path)).toMatchObject({ server: 'https://10.213.0.1:6443', ca, token: 'abcdef.0123456789abcdef' });
  });

  it("names kube-apiserver's, kube-controller-manager's and the kubelet's flags", () => {
    const args = apiserverSecurityArgs('/p');
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--tls-cert-file')).toBe('/p/apiserver.crt');
    expect(flag('--client-ca-file')).toBe('/p/ca.crt');
    expect(flag('--authorization-mode')).toBe('Node,RBAC');
    expect(args).toContain('--enable-bootstrap-token-auth');
    expect(flag('--service-account-key-file')).toBe('/p/sa.pub');
    expect(flag('--kubelet-client-certificate')).toBe('/p/apiserver-kubelet-client.crt');
    expect(controllerManagerSecurityArgs('/p')).toEqual(['--cluster-signing-cert-file', '/p/ca.crt', '--cluster-signing-key-file', '/p/ca.key', '--root-ca-file', '/p/ca.crt']);
    expect(kubeletSecurityArgs({ bootstrapKubeconfig: '/b', clientCaFile: '/ca' })).toEqual(['--bootstrap-kubeconfig', '/b', '--client-ca-file', '/ca']);
  });

  it('grants system:anonymous get on kube-public/cluster-info only', () => {
    const { role, binding } = clusterInfoReaderRbac();
    expect(role.metadata.namespace).toBe('kube-public');
    expect(role.rules).toEqual([{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'] }]);
    expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }]);
  });

  it("binds kubeadm's node-autoapprove-certificate-rotation: system:nodes may have their own renewals approved", () => {
    const b = nodeCertificateRotationBinding();
    expect(b.metadata.name).toBe('kubeadm:node-autoapprove-certificate-rotation');
    expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient' });
    expect(b.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }]);
  });
});
