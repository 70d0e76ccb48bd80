/**
 * Bootstrap-token Secrets (kube-system, type bootstrap.kubernetes.io/token), as the
 * apiserver's authenticator, the tokencleaner, the bootstrapsigner and `tkube init` read
 * and write them; and when one expires: its `expiration` value (base64 in data, RFC3339).
 * As Kubernetes: no expiration means it never expires, and an unparseable one counts as
 * expired (such a token is not accepted anyway, so it only lingers as clutter).
 */
import type { Secret } from '../types/config.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const TOKEN_SECRET_NAMESPACE = 'kube-system';
const EXPIRATION_KEY = 'expiration';

// RFC3339: date, 'T', time with optional fraction, and 'Z' or a numeric offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export type Expiry = { expired: true } | { expired: false; ttlMs?: number };

export function isBootstrapTokenSecret(s: Secret): boolean {
  return s.type === BOOTSTRAP_TOKEN_SECRET_TYPE && s.metadata.namespace === TOKEN_SECRET_NAMESPACE;
}

/** Whether `secret` has expired at `now`, or else how long it has left (undefined: never expires). */
export function tokenExpiry(secret: Secret, now: Date): Expiry {
  const encoded = secret.data?.[EXPIRATION_KEY];
  if (encoded === undefined) return { expired: false };
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  if (text === '') return { expired: false };
  const at = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return { expired: true };
  const ttlMs = at - now.getTime();
  return ttlMs <= 0 ? { expired: true } : { expired: false, ttlMs };
}
