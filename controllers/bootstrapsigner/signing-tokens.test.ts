import { describe, expect, it } from 'vitest';
import type { Secret } from '../../api/types/config.js';
import { signingTokenOf, signingTokens } from './signing-tokens.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const now = new Date('2026-03-01T12:00:00Z');

function token(id: string, values: Record<string, string> = {}, opts: { name?: string; type?: string; namespace?: string } = {}): Secret {
  const data = { 'token-id': id, 'token-secret': '0123456789abcdef', 'usage-bootstrap-signing': 'true', ...values };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: opts.name ?? `bootstrap-token-${id}`, namespace: opts.namespace ?? 'kube-system' },
    type: opts.type ?? 'bootstrap.kubernetes.io/token',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

describe('signingTokenOf', () => {
  it('takes a signing token with or without expiration, with the time it has left', () => {
    expect(signingTokenOf(token('aaaaaa'), now)).toEqual({ token: { id: 'aaaaaa', secret: '0123456789abcdef' } });
    expect(signingTokenOf(token('aaaaaa', { expiration: '2026-03-01T12:00:10Z' }), now)).toEqual({
      token: { id: 'aaaaaa', secret: '0123456789abcdef' },
      ttlMs: 10_000,
    });
  });

  it('refuses expired, non-signing, secretless, misnamed, mismatched and foreign Secrets', () => {
    const refused = [
      token('aaaaaa', { expiration: '2026-03-01T11:00:00Z' }),
      token('aaaaaa', { expiration: 'tomorrow' }),
      token('aaaaaa', { 'usage-bootstrap-signing': 'false' }),
      token('aaaaaa', { 'usage-bootstrap-signing': '' }),
      token('aaaaaa', { 'token-secret': '' }),
      token('aaaaaa', {}, { name: 'my-token' }),
      token('aaaaaa', {}, { name: 'bootstrap-token-bbbbbb' }),
      token('aaaaaa', {}, { type: 'Opaque' }),
      token('aaaaaa', {}, { namespace: 'default' }),
      { ...token('aaaaaa'), metadata: { ...token('aaaaaa').metadata, deletionTimestamp: '2026-03-01T11:59:00Z' } },
    ];
    for (const s of refused) expect(signingTokenOf(s, now)).toBeUndefined();
  });
});

describe('signingTokens', () => {
  it('lists the signing tokens by id and when the first one expires', () => {
    const got = signingTokens(
      [
        token('cccccc', { expiration: '2026-03-01T13:00:00Z' }),
        token('aaaaaa'),
        token('dddddd', { 'usage-bootstrap-signing': 'false', expiration: '2026-03-01T12:00:01Z' }),
        token('bbbbbb', { expiration: '2026-03-01T12:00:05Z' }),
      ],
      now,
    );
    expect(got.tokens.map((t) => t.id)).toEqual(['aaaaaa', 'bbbbbb', 'cccccc']);
    expect(got.nextExpiryMs).toBe(5_000);
    expect(signingTokens([token('aaaaaa')], now)).toEqual({ tokens: [{ id: 'aaaaaa', secret: '0123456789abcdef' }] });
  });
});
