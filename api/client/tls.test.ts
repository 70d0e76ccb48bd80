import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from './kube-client.js';
import type { ResourceRef } from './types.js';

const namespaces: ResourceRef = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
const dir = mkdtempSync(join(tmpdir(), 'tkube-tls-'));
const file = (n: string) => join(dir, n);
let server: https.Server;
let url = '';
const seen: { user?: string; auth?: string }[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

beforeAll(async () => {
  // A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, all in our temp dir.
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=tkube-test-ca', '-keyout', file('ca.key'), '-out', file('ca.crt'));
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, subj, ext] of [['server', '/CN=127.0.0.1', ['-extfile', file('san.ext')]], ['client', '/CN=admin/O=system:masters', []]] as const) {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subj,
      '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-days', '1', '-out', file(`${name}.crt`), ...ext);
  }
  server = https.createServer(
    { key: readFileSync(file('server.key')), cert: readFileSync(file('server.crt')), ca: readFileSync(file('ca.crt')), requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ user: (req.socket as TLSSocket).authorized ? String(peer.subject?.CN) : undefined, auth: req.headers.authorization });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: [] }));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS and kubeconfig', () => {
  it('verifies the server against the CA and presents a client certificate', async () => {
    const c = new KubeClient({
      server: url,
      ca: readFileSync(file('ca.crt'), 'utf8'),
      cert: readFileSync(file('client.crt'), 'utf8'),
      key: readFileSync(file('client.key'), 'utf8'),
    });
    const list = await c.resource(namespaces).list();
    expect(list.metadata.resourceVersion).toBe('9');
    expect(seen.at(-1)?.user).toBe('admin');
    c.close();
  });

  it('refuses an unknown server certificate unless told to skip verification', async () => {
    const strict = new KubeClient({ server: url, maxRetries: 0 });
    await expect(strict.resource(namespaces).list()).rejects.toThrow(/certificate/);
    strict.close();
    const loose = new KubeClient({ server: url, insecureSkipTLSVerify: true });
    await expect(loose.resource(namespaces).list()).resolves.toMatchObject({ kind: 'NamespaceList' });
    loose.close();
  });

  it('builds a client from a kubeconfig (CA file, token, namespace)', async () => {
    writeFileSync(
      file('kubeconfig'),
      `apiVersion: v1
kind: Config
current-context: test
clusters:
- name: c
  cluster: {server: "${url}", certificate-authority: ca.crt}
users:
- name: u
  user: {token: t0ken}
contexts:
- name: test
  context: {cluster: c, user: u, namespace: apps}
`,
    );
    const c = KubeClient.fromKubeconfig(file('kubeconfig'));
    expect(c.defaultNamespace).toBe('apps');
    await c.resource(namespaces).list();
    expect(seen.at(-1)?.auth).toBe('Bearer t0ken');
    c.close();
  });
});
