import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClusterPki, isSignedBy, parseCertificate } from './index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tkube-test-pki-'));
  dirs.push(d);
  return d;
}

describe('createClusterPki', () => {
  it('writes the files kubeadm has, with owner-only keys and the right identities', async () => {
    const dir = tempDir();
    const pki = await createClusterPki(join(dir, 'pki'), { apiserverSans: { dnsNames: ['cp.example'], ipAddresses: ['10.1.2.3'] } });
    for (const name of ['ca', 'apiserver', 'apiserver-kubelet-client', 'admin', 'controller-manager', 'scheduler']) {
      expect(statSync(join(dir, 'pki', `${name}.key`)).mode & 0o777).toBe(0o600);
      expect(await isSignedBy(readFileSync(join(dir, 'pki', `${name}.crt`), 'utf8'), pki.ca.cert)).toBe(true);
    }
    expect(statSync(pki.files.serviceAccount.key).mode & 0o777).toBe(0o600);
    // sa.pub is the public half of sa.key.
    const derived = createPublicKey(createPrivateKey(readFileSync(pki.files.serviceAccount.key))).export({ type: 'spki', format: 'pem' });
    expect(readFileSync(pki.files.serviceAccount.pub, 'utf8')).toBe(derived);

    const apiserver = parseCertificate(readFileSync(pki.files.apiserver.cert, 'utf8'));
    expect(apiserver.dnsNames).toEqual(expect.arrayContaining(['kubernetes.default.svc', 'localhost', 'cp.example']));
    expect(apiserver.ipAddresses).toEqual(expect.arrayContaining(['127.0.0.1', '10.1.2.3']));
    expect(parseCertificate(readFileSync(pki.files.admin.cert, 'utf8'))).toMatchObject({ commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    expect(parseCertificate(readFileSync(pki.files.apiserverKubeletClient.cert, 'utf8'))).toMatchObject({ commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] });
    expect(parseCertificate(readFileSync(pki.files.controllerManager.cert, 'utf8')).commonName).toBe('system:kube-controller-manager');
    expect(parseCertificate(readFileSync(pki.files.scheduler.cert, 'utf8')).commonName).toBe('system:kube-scheduler');
  });

  it('is idempotent, re-issues the serving certificate for a new SAN, and replaces what is missing', async () => {
    const dir = tempDir();
    const first = await createClusterPki(dir, { apiserverSans: { ipAddresses: ['10.1.2.3'] } });
    const snapshot = (f: string): string => readFileSync(join(dir, f), 'utf8');
    const before = Object.fromEntries(['ca.crt', 'ca.key', 'apiserver.crt', 'admin.crt', 'sa.key'].map((f) => [f, snapshot(f)]));

    await createClusterPki(dir, { apiserverSans: { ipAddresses: ['10.1.2.3'] } });
    for (const [f, content] of Object.entries(before)) expect(snapshot(f)).toBe(content);

    await createClusterPki(dir, { apiserverSans: { ipAddresses: ['10.9.9.9'] } });
    expect(snapshot('ca.crt')).toBe(before['ca.crt']);
    expect(snapshot('admin.crt')).toBe(before['admin.crt']);
    const reissued = parseCertificate(snapshot('apiserver.crt'));
    expect(reissued.ipAddresses).toEqual(expect.arrayContaining(['127.0.0.1', '10.1.2.3', '10.9.9.9']));
    expect(await isSignedBy(snapshot('apiserver.crt'), first.ca.cert)).toBe(true);

    unlinkSync(join(dir, 'scheduler.key'));
    await createClusterPki(dir, { apiserverSans: {} });
    expect(statSync(join(dir, 'scheduler.key')).mode & 0o777).toBe(0o600);
    expect(await isSignedBy(snapshot('scheduler.crt'), first.ca.cert)).toBe(true);
  });
});
