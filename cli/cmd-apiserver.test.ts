import { describe, expect, it } from 'vitest';
import { apiserverOptionsFromFlags, type ApiserverFlags } from './cmd-apiserver.js';

const base: ApiserverFlags = { etcdServers: ['http://127.0.0.1:2379'], bindAddress: '127.0.0.1', port: 6443, compactionIntervalMs: 0, eventTtlSeconds: 3600 };

describe('apiserver flags', () => {
  it('without security flags the apiserver is as before: no TLS, no authentication', () => {
    const o = apiserverOptionsFromFlags(base);
    expect(o.tls).toBeUndefined();
    expect(o.authorizationModes).toBeUndefined();
    expect(o.serviceAccount).toBeUndefined();
  });

  it('maps kube-apiserver flags to options', () => {
    const o = apiserverOptionsFromFlags({
      ...base,
      tlsCertFile: 'a.crt',
      tlsPrivateKeyFile: 'a.key',
      clientCaFile: 'ca.crt',
      authorizationModes: ['Node', 'RBAC'],
      tokenAuthFile: 'tokens.csv',
      enableBootstrapTokenAuth: true,
      serviceAccountSigningKeyFile: 'sa.key',
      serviceAccountIssuer: 'https://kubernetes.default.svc',
      kubeletClientCertificate: 'k.crt',
      kubeletClientKey: 'k.key',
    });
    expect(o.tls).toEqual({ certFile: 'a.crt', keyFile: 'a.key', clientCAFile: 'ca.crt' });
    expect(o.authorizationModes).toEqual(['Node', 'RBAC']);
    expect(o.serviceAccount).toEqual({ signingKeyFile: 'sa.key', publicKeyFiles: ['sa.key'], issuer: 'https://kubernetes.default.svc', audiences: undefined });
    expect(o.kubeletClient).toEqual({ certFile: 'k.crt', keyFile: 'k.key', caFile: undefined });
    expect(o.enableBootstrapTokenAuth).toBe(true);
  });

  it('refuses incomplete combinations', () => {
    expect(() => apiserverOptionsFromFlags({ ...base, tlsCertFile: 'a.crt' })).toThrow(/go together/);
    expect(() => apiserverOptionsFromFlags({ ...base, clientCaFile: 'ca.crt' })).toThrow(/needs --tls-cert-file/);
    expect(() => apiserverOptionsFromFlags({ ...base, serviceAccountSigningKeyFile: 'sa.key' })).toThrow(/issuer/);
  });
});
