/**
 * Signing one approved request with the cluster CA (the csrsigning controller's
 * authority): checks the request against its signer's rules, then issues a certificate
 * for the request's key valid for the shorter of the signer's maximum duration and the
 * requested spec.expirationSeconds, and never beyond the CA's own expiry.
 */
import { parseCertificate, parseCsr, signCsr, type CertAndKey } from '../../api/pki/index.js';
import { type CertificateSigningRequest, requestPem } from '../../api/types/certificates.js';
import { SERVED_SIGNERS, signerRefusal } from './csr-rules.js';

export type SigningOutcome = { certificate: string } | { failed: string };

const DAY_MS = 86_400_000;

/** How long the issued certificate is valid, in ms. */
export function certificateLifetimeMs(csr: Pick<CertificateSigningRequest, 'spec'>, maxDurationMs: number, caNotAfter: Date, now = Date.now()): number {
  const requested = csr.spec.expirationSeconds !== undefined ? csr.spec.expirationSeconds * 1000 : maxDurationMs;
  return Math.max(0, Math.min(requested, maxDurationMs, caNotAfter.getTime() - now));
}

export async function signRequest(ca: CertAndKey, csr: CertificateSigningRequest, maxDurationMs: number): Promise<SigningOutcome> {
  const usage = SERVED_SIGNERS[csr.spec.signerName];
  if (!usage) return { failed: `signer ${csr.spec.signerName} is not served by this controller` };
  const pem = requestPem(csr);
  let parsed;
  try {
    parsed = await parseCsr(pem);
  } catch (err) {
    return { failed: `unable to parse the certificate request: ${(err as Error).message}` };
  }
  const refusal = signerRefusal(csr.spec.signerName, csr.spec.usages ?? [], parsed);
  if (refusal) return { failed: refusal };
  const lifetime = certificateLifetimeMs(csr, maxDurationMs, parseCertificate(ca.cert).notAfter);
  if (lifetime <= 0) return { failed: 'the signing CA has expired' };
  return { certificate: await signCsr(ca, pem, { usage, validityDays: lifetime / DAY_MS }) };
}
