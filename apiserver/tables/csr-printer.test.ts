import { describe, expect, it } from 'vitest';
import { csrCondition, csrPrinter } from './csr-printer.js';

describe('csr printer', () => {
  it('prints the condition as kubectl shows it', () => {
    expect(csrCondition({})).toBe('Pending');
    expect(csrCondition({ status: { conditions: [{ type: 'Approved', status: 'True' }] } })).toBe('Approved');
    expect(csrCondition({ status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'AA==' } })).toBe('Approved,Issued');
    expect(csrCondition({ status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }] } })).toBe('Approved,Failed');
    expect(csrCondition({ status: { conditions: [{ type: 'Denied', status: 'True' }] } })).toBe('Denied');
  });

  it('prints signer, requestor and requested duration', () => {
    const row = csrPrinter.print(
      { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { request: '', signerName: 'kubernetes.io/kube-apiserver-client', username: 'alice', expirationSeconds: 3600 } },
      { now: new Date('2024-01-01T00:05:00Z') },
    );
    expect(row.cells).toEqual(['c', '5m', 'kubernetes.io/kube-apiserver-client', 'alice', '60m', 'Pending']);
  });
});
