import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCA, createCsr, generateKey, issueCertificate, parseCertificate, parseCsr, signCsr, type CertAndKey } from './index.js';

/** Serves TLS with `server`, connects as a client, and reports what each side saw. */
async function handshake(
  server: CertAndKey,
  client: { ca: string; servername?: string; host?: string; cert?: CertAndKey; serverCa?: string },
): Promise<{ authorized: boolean; error?: string; peerSubject?: string }> {
  const srv = createServer({ cert: server.cert, key: server.key, requestCert: !!client.serverCa, rejectUnauthorized: false, ca: client.serverCa });
  const seen = new Promise<string | undefined>((resolve) => {
    srv.on('secureConnection', (s: TLSSocket) => {
      const peer = s.getPeerCertificate();
      const cn = peer.subject?.CN;
      resolve(s.authorized ? (Array.isArray(cn) ? cn[0] : cn) : undefined);
      s.end();
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  try {
    const sock = connect({ host: client.host ?? '127.0.0.1', port, ca: client.ca, servername: client.servername, cert: client.cert?.cert, key: client.cert?.key });
    const result = await new Promise<{ authorized: boolean; error?: string }>((resolve) => {
      sock.once('secureConnect', () => resolve({ authorized: sock.authorized }));
      sock.once('error', (err) => resolve({ authorized: false, error: err.message }));
    });
    // The server completes its side (and checks the client's certificate) after the client's.
    const peerSubject = result.error ? undefined : await seen;
    sock.destroy();
    return client.serverCa ? { ...result, peerSubject } : result;
  } finally {
    srv.close();
  }
}

describe('pki', () => {
  it('a server certificate verifies against its CA for its IP and DNS SANs only', async () => {
    const ca = await createCA('tkube-test-ca');
    const server = await issueCertificate(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes.default'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    expect(await handshake(server, { ca: ca.cert })).toEqual({ authorized: true });
    expect(await handshake(server, { ca: ca.cert, servername: 'kubernetes.default' })).toEqual({ authorized: true });
    const wrongName = await handshake(server, { ca: ca.cert, servername: 'other.example' });
    expect(wrongName.authorized).toBe(false);
    expect(wrongName.error).toMatch(/altnames|Hostname/i);
    const otherCa = await createCA('tkube-other-ca');
    const untrusted = await handshake(server, { ca: otherCa.cert });
    expect(untrusted.authorized).toBe(false);
  });

  it('a client certificate carries CN and O and is accepted by a server trusting the CA', async () => {
    const ca = await createCA('tkube-test-ca');
    const server = await issueCertificate(ca, { commonName: 'srv', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const client = await issueCertificate(ca, { commonName: 'alice', organizations: ['dev', 'ops'], usage: 'client' });
    const parsed = parseCertificate(client.cert);
    expect(parsed.commonName).toBe('alice');
    expect(parsed.organizations).toEqual(['dev', 'ops']);
    expect(parsed.issuer).toBe('CN=tkube-test-ca');
    expect(parsed.isCA).toBe(false);
    expect(parsed.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(parsed.notBefore.getTime()).toBeLessThanOrEqual(Date.now());
    expect(new X509Certificate(client.cert).checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(parseCertificate(ca.cert).isCA).toBe(true);

    const r = await handshake(server, { ca: ca.cert, cert: client, serverCa: ca.cert });
    expect(r).toEqual({ authorized: true, peerSubject: 'alice' });
  });

  it('a server-only certificate is not usable as a client certificate', async () => {
    const ca = await createCA('tkube-test-ca');
    const server = await issueCertificate(ca, { commonName: 'srv', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const notClient = await issueCertificate(ca, { commonName: 'mallory', usage: 'server' });
    const r = await handshake(server, { ca: ca.cert, cert: notClient, serverCa: ca.cert });
    // The server rejects the peer (unauthorized), so it reports no subject.
    expect(r.peerSubject).toBeUndefined();
  });

  it('round-trips a CSR and signs it for the key it carries', async () => {
    const ca = await createCA('tkube-test-ca');
    const key = await generateKey();
    const csr = await createCsr(key, { commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ipAddresses: ['10.0.0.5'] });
    expect(csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const parsed = await parseCsr(csr);
    expect(parsed).toMatchObject({ commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ipAddresses: ['10.0.0.5'] });
    expect(parsed.publicKeyPem).toMatch(/BEGIN PUBLIC KEY/);

    const cert = await signCsr(ca, csr, { usage: 'client' });
    const p = parseCertificate(cert);
    expect(p.commonName).toBe('system:node:n1');
    expect(p.organizations).toEqual(['system:nodes']);
    // The certificate is for the CSR's key: a TLS client can use it with that key.
    const server = await issueCertificate(ca, { commonName: 'srv', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const r = await handshake(server, { ca: ca.cert, cert: { cert, key }, serverCa: ca.cert });
    expect(r).toEqual({ authorized: true, peerSubject: 'system:node:n1' });

    const renamed = parseCertificate(await signCsr(ca, csr, { usage: 'client', commonName: 'other' }));
    expect(renamed.commonName).toBe('other');
  });

  it('rejects a tampered CSR and garbage', async () => {
    const key = await generateKey();
    const csr = await createCsr(key, { commonName: 'system:node:n1', organizations: ['system:nodes'] });
    // Swap the subject CN in the DER for another of the same length: the signature no longer matches.
    const der = Buffer.from(csr.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('system:node:n1'));
    expect(at).toBeGreaterThan(0);
    Buffer.from('system:node:n2').copy(der, at);
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(parseCsr(tampered)).rejects.toThrow(/signature/);
    const ca = await createCA('tkube-test-ca');
    await expect(signCsr(ca, tampered, { usage: 'client' })).rejects.toThrow(/signature/);
    await expect(parseCsr('not a csr')).rejects.toThrow();
  });

  it('refuses an IP SAN that is not an address', async () => {
    const ca = await createCA('tkube-test-ca');
    await expect(issueCertificate(ca, { commonName: 'x', ipAddresses: ['not-an-ip'], usage: 'server' })).rejects.toThrow(/not an IP/);
  });

  it('issues a certificate valid for exactly validityMs from now when asked, with the backdate given', async () => {
    const ca = await createCA('tkube-test-ca');
    const before = Date.now();
    const short = parseCertificate((await issueCertificate(ca, { commonName: 'short', usage: 'client', validityMs: 20_000, backdateMs: 0 })).cert);
    const after = Date.now();
    // X.509 times have one-second resolution.
    expect(short.notAfter.getTime()).toBeGreaterThanOrEqual(Math.floor((before + 20_000) / 1000) * 1000);
    expect(short.notAfter.getTime()).toBeLessThanOrEqual(after + 20_000);
    expect(short.notBefore.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    const normal = parseCertificate((await issueCertificate(ca, { commonName: 'normal', usage: 'client' })).cert);
    expect(normal.notBefore.getTime()).toBeLessThanOrEqual(before - 4 * 60_000);
  });
});
