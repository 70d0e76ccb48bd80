import { describe, expect, it } from 'vitest';
import { createCsr, generateKey, parseCsr } from '../../api/pki/index.js';
import type { CertificateSigningRequest } from '../../api/types/certificates.js';
import type { Node } from '../../api/types/node.js';
import type { AccessCheck, ResourceAttributes } from '../../api/client/subject-access-review.js';
import { decide } from './approver.js';

async function request(subject: { commonName: string; organizations?: string[]; dnsNames?: string[]; ipAddresses?: string[] }, spec: Partial<CertificateSigningRequest['spec']>) {
  const pem = await createCsr(await generateKey(), subject);
  const csr: CertificateSigningRequest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'c' },
    spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], ...spec },
  };
  return { csr, parsed: await parseCsr(pem) };
}

/** An access check that records what it was asked and answers from a table of allowed subresources. */
function sar(allowed: Record<string, string[]>): AccessCheck & { asked: string[] } {
  const asked: string[] = [];
  const check: AccessCheck = async (user, attrs: ResourceAttributes) => {
    asked.push(`${user.username}:${attrs.subresource}`);
    return user.groups.some((g) => allowed[g]?.includes(attrs.subresource ?? ''));
  };
  return Object.assign(check, { asked });
}

const bootstrapper = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };
const nodeA = { username: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] };
const policy = { 'system:bootstrappers': ['nodeclient'], 'system:nodes': ['selfnodeclient'] };
const noNodes = () => undefined;

describe('csrapproving decisions', () => {
  it('approves a new node\'s client certificate requested with a bootstrap token', async () => {
    const { csr, parsed } = await request({ commonName: 'system:node:a', organizations: ['system:nodes'] }, bootstrapper);
    const check = sar(policy);
    expect(await decide(csr, parsed, check, noNodes)).toMatchObject({ approve: true, message: expect.stringContaining('kubelet client certificate') });
    expect(check.asked).toEqual(['system:bootstrap:abcdef:nodeclient']);
  });

  it('approves a node renewing its own client certificate', async () => {
    const { csr, parsed } = await request({ commonName: 'system:node:a', organizations: ['system:nodes'] }, nodeA);
    expect(await decide(csr, parsed, sar(policy), noNodes)).toMatchObject({ approve: true, message: expect.stringContaining('self kubelet client') });
  });

  it('refuses a node asking for another node\'s name', async () => {
    const { csr, parsed } = await request({ commonName: 'system:node:b', organizations: ['system:nodes'] }, nodeA);
    const check = sar(policy);
    expect(await decide(csr, parsed, check, noNodes)).toMatchObject({ approve: false });
    expect(check.asked).toEqual(['system:node:a:nodeclient']);
  });

  it('leaves requests with the wrong subject, names or usages to a person', async () => {
    const cases: [Parameters<typeof request>[0], Parameters<typeof request>[1]][] = [
      [{ commonName: 'system:node:a', organizations: ['system:masters'] }, bootstrapper],
      [{ commonName: 'alice', organizations: ['system:nodes'] }, bootstrapper],
      [{ commonName: 'system:node:a', organizations: ['system:nodes'], dnsNames: ['a.example'] }, bootstrapper],
      [{ commonName: 'system:node:a', organizations: ['system:nodes'] }, { ...bootstrapper, usages: ['client auth', 'server auth'] }],
      [{ commonName: 'system:node:a', organizations: ['system:nodes'] }, { ...bootstrapper, signerName: 'kubernetes.io/kube-apiserver-client' }],
    ];
    for (const [subject, spec] of cases) {
      const { csr, parsed } = await request(subject, spec);
      expect(await decide(csr, parsed, sar(policy), noNodes)).toMatchObject({ approve: false });
    }
  });

  it('approves a serving certificate only for the node\'s own names and addresses', async () => {
    const node = { metadata: { name: 'a' }, spec: {}, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'a' }] } } as unknown as Node;
    const serving = { ...nodeA, signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] };
    const own = await request({ commonName: 'system:node:a', organizations: ['system:nodes'], dnsNames: ['a'], ipAddresses: ['10.0.0.5'] }, serving);
    expect(await decide(own.csr, own.parsed, sar(policy), () => node)).toMatchObject({ approve: true });
    const foreign = await request({ commonName: 'system:node:a', organizations: ['system:nodes'], ipAddresses: ['10.0.0.9'] }, serving);
    expect(await decide(foreign.csr, foreign.parsed, sar(policy), () => node)).toMatchObject({ approve: false, why: expect.stringContaining('10.0.0.9') });
    const unregistered = await request({ commonName: 'system:node:a', organizations: ['system:nodes'], dnsNames: ['a'] }, serving);
    expect(await decide(unregistered.csr, unregistered.parsed, sar(policy), noNodes)).toMatchObject({ approve: false, retryAfterMs: expect.any(Number) });
    const otherNode = await request({ commonName: 'system:node:b', organizations: ['system:nodes'], dnsNames: ['a'] }, serving);
    expect(await decide(otherNode.csr, otherNode.parsed, sar(policy), () => node)).toMatchObject({ approve: false });
  });
});
