import { describe, expect, it } from 'vitest';
import { decode, validateObject } from '../decode.js';
import type { StatusCause } from '../meta/errors.js';
import { certificateSigningRequests } from '../registry.js';
import type { CertificateSigningRequest } from './certificates.js';
import { pemBlocks, validateCertificateSigningRequest, validateCertificateSigningRequestApproval, validateCertificateSigningRequestUpdate, validateSignerName } from './certificates-validation.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const REQUEST = b64('-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----\n');
const CERT = b64('-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n');

function csr(over: Partial<CertificateSigningRequest['spec']> = {}, status?: CertificateSigningRequest['status']): CertificateSigningRequest {
  const { object } = decode(certificateSigningRequests, {
    metadata: { name: 'node-csr-1' },
    spec: { request: REQUEST, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], ...over },
    status,
  });
  return object;
}

const fields = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('CertificateSigningRequest validation', () => {
  it('accepts a well-formed request', () => {
    expect(validateCertificateSigningRequest(csr())).toEqual([]);
    expect(() => validateObject(certificateSigningRequests, csr())).not.toThrow();
  });

  it('requires a PEM CERTIFICATE REQUEST', () => {
    expect(fields(validateCertificateSigningRequest(csr({ request: b64('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n') })))).toEqual([
      'spec.request: Invalid value: "<request data>": PEM block type must be CERTIFICATE REQUEST',
    ]);
    expect(fields(validateCertificateSigningRequest(csr({ request: '' })))).toEqual(['spec.request: Required value']);
  });

  it('checks the signer name, usages and expirationSeconds', () => {
    expect(validateSignerName('example.com/signer')).toEqual([]);
    expect(validateSignerName('nodomain/signer')[0]!.message).toContain('at least two segments');
    expect(validateSignerName('example.com')[0]!.message).toContain("example.com/signer-name");
    expect(fields(validateCertificateSigningRequest(csr({ signerName: 'kubernetes.io/legacy-unknown' })))).toEqual([
      'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
    ]);
    expect(fields(validateCertificateSigningRequest(csr({ usages: ['client auth', 'flying', 'client auth'] })))).toEqual([
      expect.stringMatching(/^spec\.usages\[1\]: Unsupported value: "flying": supported values: "signing"/),
      'spec.usages[2]: Duplicate value: "client auth"',
    ]);
    expect(fields(validateCertificateSigningRequest(csr({ expirationSeconds: 599 })))).toEqual([
      'spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)',
    ]);
  });

  it('keeps Approved and Denied exclusive and True', () => {
    const both = csr({}, { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] });
    expect(fields(validateCertificateSigningRequest(both))).toEqual([
      'status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    ]);
    const falseApproval = csr({}, { conditions: [{ type: 'Approved', status: 'False' }] });
    expect(fields(validateCertificateSigningRequest(falseApproval))).toEqual(['status.conditions[0].status: Unsupported value: "False": supported values: "True"']);
  });

  it('defaults condition status and timestamps', () => {
    const c = csr({}, { conditions: [{ type: 'Approved' }] });
    validateObject(certificateSigningRequests, c);
    expect(c.status!.conditions![0]).toMatchObject({ type: 'Approved', status: 'True', lastUpdateTime: expect.stringMatching(/Z$/) });
  });

  it('lets a certificate appear only once approved, and never change', () => {
    const pending = csr();
    const issuedUnapproved = csr({}, { certificate: CERT });
    expect(fields(validateCertificateSigningRequestUpdate(issuedUnapproved, pending))).toEqual([
      'status.certificate: Invalid value: "<certificate data>": certificate can only be set if an Approved condition is present',
    ]);
    const approved = csr({}, { conditions: [{ type: 'Approved', status: 'True' }] });
    const issued = csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: CERT });
    expect(validateCertificateSigningRequestUpdate(issued, approved)).toEqual([]);
    const other = csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: b64('-----BEGIN CERTIFICATE-----\nMIIBAQ==\n-----END CERTIFICATE-----\n') });
    expect(fields(validateCertificateSigningRequestUpdate(other, issued))).toEqual(['status.certificate: Invalid value: "<certificate data>": field is immutable']);
    expect(fields(validateCertificateSigningRequest(csr({}, { conditions: [{ type: 'Approved' }], certificate: b64('hello') })))).toEqual([
      'status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block',
    ]);
  });

  it('changes approval only through the approval subresource, and never removes it', () => {
    const pending = csr();
    const approved = csr({}, { conditions: [{ type: 'Approved', status: 'True' }] });
    expect(fields(validateCertificateSigningRequestUpdate(approved, pending))).toEqual([
      'status.conditions: Forbidden: Approved and Denied conditions can be changed only through the approval subresource',
    ]);
    expect(validateCertificateSigningRequestApproval(approved, pending)).toEqual([]);
    expect(fields(validateCertificateSigningRequestApproval(pending, approved))).toEqual(['status.conditions: Forbidden: updates may not remove a condition of type "Approved"']);
    expect(fields(validateCertificateSigningRequestUpdate(csr({ usages: ['client auth'] }), pending))).toEqual(['spec: Invalid value: "<spec>": field is immutable']);
  });

  it('reads PEM blocks', () => {
    expect(pemBlocks('junk\n-----BEGIN A B-----\nAA\nBB\n-----END A B-----\n').map((b) => [b.type, b.body])).toEqual([['A B', 'AABB']]);
  });
});
