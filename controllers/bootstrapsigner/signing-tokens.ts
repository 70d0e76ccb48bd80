/**
 * Which bootstrap-token Secrets may sign cluster-info, by Kubernetes' rules: a kube-system
 * Secret of type bootstrap.kubernetes.io/token named `bootstrap-token-<id>` whose
 * `token-id` is that id, with a non-empty `token-secret`, `usage-bootstrap-signing: "true"`,
 * and not expired (the tokencleaner's rule: it deletes expired ones, but may lag or be off).
 */
import type { SigningToken } from '../../api/bootstrap/cluster-info-signatures.js';
import type { Secret } from '../../api/types/config.js';
import { isBootstrapTokenSecret, tokenExpiry } from '../../api/bootstrap/token-secret.js';

const SECRET_NAME = /^bootstrap-token-([a-z0-9]{6})$/;

function value(secret: Secret, key: string): string {
  const encoded = secret.data?.[key];
  return encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
}

export interface SigningTokens {
  /** Sorted by id. */
  tokens: SigningToken[];
  /** When the first of them expires (ms from now); undefined if none ever does. */
  nextExpiryMs?: number;
}

/** The token a Secret signs with at `now`, and how long it has left; undefined if it may not sign. */
export function signingTokenOf(secret: Secret, now: Date): { token: SigningToken; ttlMs?: number } | undefined {
  if (!isBootstrapTokenSecret(secret) || secret.metadata.deletionTimestamp) return;
  const nameId = SECRET_NAME.exec(secret.metadata.name ?? '')?.[1];
  const id = value(secret, 'token-id');
  const tokenSecret = value(secret, 'token-secret');
  if (!nameId || id !== nameId || tokenSecret === '') return;
  if (value(secret, 'usage-bootstrap-signing') !== 'true') return;
  const expiry = tokenExpiry(secret, now);
  if (expiry.expired) return;
  return { token: { id, secret: tokenSecret }, ...(expiry.ttlMs !== undefined ? { ttlMs: expiry.ttlMs } : {}) };
}

export function signingTokens(secrets: readonly Secret[], now: Date): SigningTokens {
  const tokens: SigningToken[] = [];
  let nextExpiryMs: number | undefined;
  for (const s of secrets) {
    const signing = signingTokenOf(s, now);
    if (!signing) continue;
    tokens.push(signing.token);
    if (signing.ttlMs !== undefined) nextExpiryMs = Math.min(nextExpiryMs ?? Infinity, signing.ttlMs);
  }
  tokens.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { tokens, ...(nextExpiryMs !== undefined ? { nextExpiryMs } : {}) };
}
