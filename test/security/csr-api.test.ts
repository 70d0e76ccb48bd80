/**
 * certificates.k8s.io/v1 CertificateSigningRequests through the apiserver and the real
 * kubectl: the requester is stamped by the server, `kubectl get csr` prints Kubernetes'
 * columns, `kubectl certificate approve|deny` go through the approval subresource, and
 * approval cannot be forged through the object or /status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, generateKey } from '../../api/pki/index.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { request } from '../apiserver/rest.js';

const BASE = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
let cp: TestControlPlane;

async function csrYaml(name: string, extraSpec = ''): Promise<string> {
  const pem = await createCsr(await generateKey(), { commonName: 'system:node:tkube-csr-a', organizations: ['system:nodes'] });
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: ${name}
spec:
  request: ${Buffer.from(pem).toString('base64')}
  signerName: kubernetes.io/kube-apiserver-client-kubelet
  expirationSeconds: 86400
  usages: ["digital signature", "client auth"]
${extraSpec}`;
}

const k = (...args: string[]) => cp.kubectl(args).then((r) => r.stdout);

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

describe('CertificateSigningRequest API', () => {
  it('stamps the requester from the request, not from the body, and drops a status', async () => {
    const yaml = (await csrYaml('tkube-csr-1', '  username: mallory\n  groups: ["system:masters"]\n')) + 'status:\n  conditions: [{type: Approved, status: "True"}]\n';
    expect(await cp.kubectl(['create', '-f', '-'], { input: yaml }).then((r) => r.stdout)).toContain('certificatesigningrequest.certificates.k8s.io/tkube-csr-1 created');
    const stored = (await request(cp.url, 'GET', `${BASE}/tkube-csr-1`)).json as Record<string, any>;
    // Without authentication every request is the loopback admin.
    expect(stored.spec.username).toBe('kubernetes-admin');
    expect(stored.spec.groups).toEqual(['system:masters', 'system:authenticated']);
    expect(stored.status ?? {}).toEqual({});
  });

  it('prints `kubectl get csr` with the signer, requestor, requested duration and condition', async () => {
    const out = await k('get', 'csr');
    const [header, row] = out.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION']);
    expect(row!.split(/\s+/)).toEqual(['tkube-csr-1', expect.any(String), 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes-admin', '24h', 'Pending']);
  });

  it('approves with `kubectl certificate approve`', async () => {
    expect(await k('certificate', 'approve', 'tkube-csr-1')).toContain('certificatesigningrequest.certificates.k8s.io/tkube-csr-1 approved');
    const stored = (await request(cp.url, 'GET', `${BASE}/tkube-csr-1`)).json as Record<string, any>;
    expect(stored.status.conditions).toEqual([
      expect.objectContaining({ type: 'Approved', status: 'True', reason: 'KubectlApprove', lastUpdateTime: expect.any(String), lastTransitionTime: expect.any(String) }),
    ]);
    expect(await k('get', 'csr', 'tkube-csr-1', '--no-headers')).toMatch(/\sApproved\s*$/);
  });

  it('denies with `kubectl certificate deny`, and Approved and Denied exclude each other', async () => {
    await cp.kubectl(['create', '-f', '-'], { input: await csrYaml('tkube-csr-2') });
    expect(await k('certificate', 'deny', 'tkube-csr-2')).toContain('certificatesigningrequest.certificates.k8s.io/tkube-csr-2 denied');
    expect(await k('get', 'csr', 'tkube-csr-2', '--no-headers')).toMatch(/\sDenied\s*$/);
    const current = (await request(cp.url, 'GET', `${BASE}/tkube-csr-2`)).json as Record<string, any>;
    current.status.conditions.push({ type: 'Approved', status: 'True', reason: 'Sneaky' });
    const res = await request(cp.url, 'PUT', `${BASE}/tkube-csr-2/approval`, { body: current });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ reason: 'Invalid', message: expect.stringContaining('Approved and Denied conditions are mutually exclusive') });
  });

  it('changes approval only through the approval subresource', async () => {
    await cp.kubectl(['create', '-f', '-'], { input: await csrYaml('tkube-csr-3') });
    const current = (await request(cp.url, 'GET', `${BASE}/tkube-csr-3`)).json as Record<string, any>;
    const forged = { ...current, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Forged' }] } };
    const viaStatus = await request(cp.url, 'PUT', `${BASE}/tkube-csr-3/status`, { body: forged });
    expect(viaStatus.status).toBe(422);
    expect(viaStatus.json).toMatchObject({ message: expect.stringContaining('only through the approval subresource') });
    // On the object itself status is ignored.
    const viaObject = await request(cp.url, 'PUT', `${BASE}/tkube-csr-3`, { body: forged });
    expect(viaObject.status).toBe(200);
    expect((viaObject.json as Record<string, any>).status ?? {}).toEqual({});
  });

  it('sets a certificate only once approved, and never changes it', async () => {
    const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n').toString('base64');
    const pending = (await request(cp.url, 'GET', `${BASE}/tkube-csr-3`)).json as Record<string, any>;
    const early = await request(cp.url, 'PUT', `${BASE}/tkube-csr-3/status`, { body: { ...pending, status: { certificate: cert } } });
    expect(early.status).toBe(422);
    expect(early.json).toMatchObject({ message: expect.stringContaining('certificate can only be set if an Approved condition is present') });
    const approved = (await request(cp.url, 'GET', `${BASE}/tkube-csr-1`)).json as Record<string, any>;
    const issued = await request(cp.url, 'PUT', `${BASE}/tkube-csr-1/status`, { body: { ...approved, status: { ...approved.status, certificate: cert } } });
    expect(issued.status).toBe(200);
    expect(await k('get', 'csr', 'tkube-csr-1', '--no-headers')).toMatch(/\sApproved,Issued\s*$/);
    const again = await request(cp.url, 'PATCH', `${BASE}/tkube-csr-1/status`, {
      body: { status: { certificate: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBAQ==\n-----END CERTIFICATE-----\n').toString('base64') } },
      contentType: 'application/merge-patch+json',
    });
    expect(again.status).toBe(422);
    expect(again.json).toMatchObject({ message: expect.stringContaining('status.certificate: Invalid value: "<certificate data>": field is immutable') });
  });

  it('refuses a malformed request and an unknown usage', async () => {
    const bad = (await csrYaml('tkube-csr-4')).replace(/request: \S+/, `request: ${Buffer.from('not a pem').toString('base64')}`).replace('"client auth"', '"flying"');
    const err = await cp.kubectl(['create', '-f', '-'], { input: bad }).catch((e: Error & { stderr?: string }) => e.stderr ?? e.message);
    expect(err).toContain('spec.request: Invalid value: "<request data>": PEM block type must be CERTIFICATE REQUEST');
    expect(err).toContain('spec.usages[1]: Unsupported value: "flying"');
  });

  it('is listed by `kubectl api-resources` with its short name', async () => {
    expect(await k('api-resources', '--api-group=certificates.k8s.io', '--no-headers')).toMatch(/^certificatesigningrequests\s+csr\s+certificates\.k8s\.io\/v1\s+false\s+CertificateSigningRequest/m);
  });
});
