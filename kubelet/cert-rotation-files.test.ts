import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate, type CertAndKey } from '../api/pki/index.js';
import { keyMatchesCertificate, readCertificatePair, writeCertificatePair } from './cert-rotation-files.js';

let dir: string;
let a: CertAndKey;
let b: CertAndKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tkube-test-certfiles-'));
  const ca = await createCA('tkube-test-files-ca');
  [a, b] = await Promise.all([1, 2].map((i) => issueCertificate(ca, { commonName: `system:node:tkube-n${i}`, usage: 'client' })));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('certificate pair files', () => {
  it('writes the pair owner-only, replaces it, and leaves no temporary files', () => {
    const cert = join(dir, 'pki', 'kubelet-client.crt');
    const key = join(dir, 'pki', 'kubelet-client.key');
    writeCertificatePair(cert, key, a);
    expect(readCertificatePair(cert, key)).toEqual(a);
    writeCertificatePair(cert, key, b);
    expect(readCertificatePair(cert, key)).toEqual(b);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(cert).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'pki')).sort()).toEqual(['kubelet-client.crt', 'kubelet-client.key']);
  });

  it('treats a key that is not the certificate\'s (a torn write) or a missing file as no pair', () => {
    expect(keyMatchesCertificate(a)).toBe(true);
    expect(keyMatchesCertificate({ cert: a.cert, key: b.key })).toBe(false);
    expect(keyMatchesCertificate({ cert: 'garbage', key: b.key })).toBe(false);
    const cert = join(dir, 'torn.crt');
    const key = join(dir, 'torn.key');
    writeFileSync(cert, a.cert);
    writeFileSync(key, b.key);
    expect(readCertificatePair(cert, key)).toBeUndefined();
    expect(readCertificatePair(join(dir, 'missing.crt'), key)).toBeUndefined();
  });
});
