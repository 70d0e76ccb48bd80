import { describe, expect, it } from 'vitest';
import { bootstrapTokenSecret, formatToken, generateToken, parseToken } from './bootstrap-token.js';

describe('bootstrap tokens', () => {
  it('generates [a-z0-9]{6}.[a-z0-9]{16} tokens that parse back', () => {
    for (let i = 0; i < 20; i++) {
      const text = formatToken(generateToken());
      expect(text).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      expect(formatToken(parseToken(text))).toBe(text);
    }
  });

  it('refuses malformed tokens with one line naming the format', () => {
    for (const bad of ['', 'abcdef', 'ABCDEF.0123456789abcdef', 'abcde.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef:0123456789abcdef']) {
      expect(() => parseToken(bad)).toThrow(/^the token is malformed: .*\[a-z0-9\]\{6\}\.\[a-z0-9\]\{16\}\)$/);
    }
  });

  it('is stored as Kubernetes stores it', () => {
    const s = bootstrapTokenSecret(parseToken('abcdef.0123456789abcdef'), { now: new Date('2025-01-01T00:00:00.000Z') });
    expect(s.metadata).toEqual({ name: 'bootstrap-token-abcdef', namespace: 'kube-system' });
    expect(s.type).toBe('bootstrap.kubernetes.io/token');
    const data = Object.fromEntries(Object.entries(s.data!).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(data).toMatchObject({
      'token-id': 'abcdef',
      'token-secret': '0123456789abcdef',
      expiration: '2025-01-02T00:00:00Z',
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
    });
  });
});
