import { describe, expect, it } from 'vitest';
import type { Secret } from '../types/config.js';
import { isBootstrapTokenSecret, tokenExpiry } from './token-secret.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secret(data: Record<string, string>, type = 'bootstrap.kubernetes.io/token', namespace = 'kube-system'): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bootstrap-token-abcdef', namespace }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) };
}
const now = new Date('2026-03-01T12:00:00Z');

describe('tokenExpiry', () => {
  it('is expired once the expiration has passed, or at that very instant', () => {
    expect(tokenExpiry(secret({ expiration: '2026-03-01T11:59:59Z' }), now)).toEqual({ expired: true });
    expect(tokenExpiry(secret({ expiration: '2026-03-01T12:00:00Z' }), now)).toEqual({ expired: true });
  });

  it('gives the time left of a live token, with offsets and fractions understood', () => {
    expect(tokenExpiry(secret({ expiration: '2026-03-01T12:00:30Z' }), now)).toEqual({ expired: false, ttlMs: 30_000 });
    expect(tokenExpiry(secret({ expiration: '2026-03-01T13:00:00.5+01:00' }), now)).toEqual({ expired: false, ttlMs: 500 });
    expect(tokenExpiry(secret({ expiration: '2026-03-02T12:00:00Z' }), now)).toEqual({ expired: false, ttlMs: 24 * 3_600_000 });
  });

  it('never expires without an expiration, and counts an unparseable one as expired', () => {
    expect(tokenExpiry(secret({ 'token-id': 'abcdef' }), now)).toEqual({ expired: false });
    expect(tokenExpiry(secret({ expiration: 'tomorrow' }), now)).toEqual({ expired: true });
    // Not RFC3339 even though JavaScript could read it.
    expect(tokenExpiry(secret({ expiration: '2030-01-01' }), now)).toEqual({ expired: true });
  });
});

describe('isBootstrapTokenSecret', () => {
  it('is a kube-system Secret of the bootstrap token type', () => {
    expect(isBootstrapTokenSecret(secret({}))).toBe(true);
    expect(isBootstrapTokenSecret(secret({}, 'Opaque'))).toBe(false);
    expect(isBootstrapTokenSecret(secret({}, 'bootstrap.kubernetes.io/token', 'default'))).toBe(false);
  });
});
