import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidTokenError, signServiceAccountToken, unverifiedIssuer, verifyServiceAccountToken } from './jwt.js';
import { keyIdOf, loadServiceAccountKeys, serviceAccountKeysFromPem } from './keys.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';

function ecPem(): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { priv: privateKey.export({ type: 'sec1', format: 'pem' }).toString(), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function rsaPem(): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), pub: publicKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
}

const ec = ecPem();
const keys = serviceAccountKeysFromPem({ signingKeyPem: ec.priv, publicKeyPems: [], issuer: ISSUER });
const spec = {
  namespace: 'default',
  serviceAccount: { name: 'robot', uid: 'sa-uid' },
  audiences: [ISSUER],
  expirationSeconds: 3600,
};

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'tkube-sa-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('service-account token keys', () => {
  it('signs with ES256 for P-256 and RS256 for RSA, with the public key hash as kid', () => {
    expect(keys.signing.alg).toBe('ES256');
    expect(keys.signing.kid).toBe(keyIdOf(keys.signing.key));
    const rsa = rsaPem();
    expect(serviceAccountKeysFromPem({ signingKeyPem: rsa.priv, publicKeyPems: [], issuer: ISSUER }).signing.alg).toBe('RS256');
  });

  it('loads several verification keys from files (public keys, private keys) and defaults the audiences to the issuer', async () => {
    const other = rsaPem();
    const third = ecPem();
    writeFileSync(join(dir, 'sa.key'), ec.priv);
    writeFileSync(join(dir, 'both.pub'), other.pub + third.priv);
    const loaded = await loadServiceAccountKeys({ signingKeyFile: join(dir, 'sa.key'), publicKeyFiles: [join(dir, 'both.pub')], issuer: ISSUER });
    expect(loaded.verification.map((k) => k.alg)).toEqual(['ES256', 'RS256', 'ES256']);
    expect(loaded.audiences).toEqual([ISSUER]);
  });

  it('names the flag and file when a key file is missing or holds no key', async () => {
    await expect(loadServiceAccountKeys({ signingKeyFile: join(dir, 'nope'), publicKeyFiles: [], issuer: ISSUER })).rejects.toThrow(
      /--service-account-signing-key-file .*nope: ENOENT/,
    );
    writeFileSync(join(dir, 'empty.pub'), 'not a key');
    writeFileSync(join(dir, 'sa2.key'), ec.priv);
    await expect(loadServiceAccountKeys({ signingKeyFile: join(dir, 'sa2.key'), publicKeyFiles: [join(dir, 'empty.pub')], issuer: ISSUER })).rejects.toThrow(
      /no public key/,
    );
  });
});

describe('service-account tokens', () => {
  it('carry the Kubernetes claims and verify', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const { token, expiresAt } = await signServiceAccountToken(keys, { ...spec, pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' }, now });
    expect(expiresAt.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    const p = payloadOf(token);
    expect(p).toMatchObject({
      iss: ISSUER,
      sub: 'system:serviceaccount:default:robot',
      aud: [ISSUER],
      iat: now.getTime() / 1000,
      nbf: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 3600,
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'robot', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' } },
    });
    expect(p.jti).toMatch(/^[0-9a-f-]{36}$/);
    const claims = await verifyServiceAccountToken(keys, token, [ISSUER], new Date(now.getTime() + 1000));
    expect(claims['kubernetes.io'].pod?.uid).toBe('pod-uid');
    expect(unverifiedIssuer(token)).toBe(ISSUER);
    expect(unverifiedIssuer('opaque-token')).toBeUndefined();
  });

  it('refuses a token signed by another key', async () => {
    const stranger = serviceAccountKeysFromPem({ signingKeyPem: ecPem().priv, publicKeyPems: [], issuer: ISSUER });
    const { token } = await signServiceAccountToken(stranger, spec);
    await expect(verifyServiceAccountToken(keys, token, [ISSUER])).rejects.toThrow(/signature does not verify/);
  });

  it('accepts a token signed by an old key listed for verification (key rotation)', async () => {
    const old = ecPem();
    const oldKeys = serviceAccountKeysFromPem({ signingKeyPem: old.priv, publicKeyPems: [], issuer: ISSUER });
    const rotated = serviceAccountKeysFromPem({ signingKeyPem: ecPem().priv, publicKeyPems: [old.pub], issuer: ISSUER });
    const { token } = await signServiceAccountToken(oldKeys, spec);
    await expect(verifyServiceAccountToken(rotated, token, [ISSUER])).resolves.toBeTruthy();
  });

  it('refuses an expired token (beyond the minute of clock leeway)', async () => {
    const { token } = await signServiceAccountToken(keys, { ...spec, expirationSeconds: 600, now: new Date('2030-01-01T00:00:00Z') });
    await expect(verifyServiceAccountToken(keys, token, [ISSUER], new Date('2030-01-01T00:10:30Z'))).resolves.toBeTruthy();
    const err = await verifyServiceAccountToken(keys, token, [ISSUER], new Date('2030-01-01T00:12:00Z')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect((err as Error).message).toBe('service-account token has expired');
  });

  it('refuses a token for another audience or issuer', async () => {
    const { token } = await signServiceAccountToken(keys, { ...spec, audiences: ['vault'] });
    await expect(verifyServiceAccountToken(keys, token, [ISSUER])).rejects.toThrow(/aud claim/);
    await expect(verifyServiceAccountToken(keys, token, ['vault', ISSUER])).resolves.toBeTruthy();
    const elsewhere = { ...keys, issuer: 'https://other.example' };
    const { token: foreign } = await signServiceAccountToken(elsewhere, spec);
    await expect(verifyServiceAccountToken(keys, foreign, [ISSUER])).rejects.toThrow(/iss claim/);
  });

  it('refuses a tampered payload', async () => {
    const { token } = await signServiceAccountToken(keys, spec);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload.sub = 'system:serviceaccount:kube-system:admin';
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    await expect(verifyServiceAccountToken(keys, forged, [ISSUER])).rejects.toThrow(InvalidTokenError);
  });
});
