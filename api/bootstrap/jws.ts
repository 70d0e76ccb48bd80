/**
 * Detached JWS (RFC 7515, appendix F) with HS256, as Kubernetes' bootstrap signer writes
 * into kube-public/cluster-info: `<protected header>..<signature>`, the payload left out.
 * The key is the bootstrap token's secret and the header names the token id as `kid`, so a
 * joining node that knows the token can check that the kubeconfig it fetched anonymously
 * was published by someone who knows the token too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** The header as go-jose serialises it (keys in sorted order), so signatures match Kubernetes'. */
function protectedHeader(keyId: string): string {
  return base64url(JSON.stringify({ alg: 'HS256', kid: keyId }));
}

export function computeDetachedSignature(content: string, tokenId: string, tokenSecret: string): string {
  const header = protectedHeader(tokenId);
  const signingInput = `${header}.${base64url(content)}`;
  const signature = createHmac('sha256', tokenSecret).update(signingInput).digest('base64url');
  return `${header}..${signature}`;
}

/** Whether `detached` is the signature of `content` under this token (constant-time compare). */
export function detachedSignatureIsValid(detached: string, content: string, tokenId: string, tokenSecret: string): boolean {
  const expected = Buffer.from(computeDetachedSignature(content, tokenId, tokenSecret));
  const got = Buffer.from(detached);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
