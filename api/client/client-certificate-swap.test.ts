/**
 * Swapping the client certificate of a live client (kubelet certificate rotation): new
 * requests present the new certificate, idle keep-alive connections of the old one are
 * not reused, and a watch opened before the swap keeps streaming.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate, type CertAndKey } from '../pki/index.js';
import { KubeClient } from './kube-client.js';
import type { ResourceRef } from './types.js';

const configMaps: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };

let ca: CertAndKey;
let first: CertAndKey;
let second: CertAndKey;
let server: https.Server;
let url = '';
/** The client certificate's CN of each request, with the id of the connection it came on. */
const seen: { cn: string; conn: number; watch: boolean }[] = [];
const closedConns = new Set<number>();
const watchers: ServerResponse[] = [];

beforeAll(async () => {
  ca = await createCA('tkube-test-swap-ca');
  const serving = await issueCertificate(ca, { commonName: 'srv', ipAddresses: ['127.0.0.1'], usage: 'server' });
  first = await issueCertificate(ca, { commonName: 'system:node:tkube-old', usage: 'client' });
  second = await issueCertificate(ca, { commonName: 'system:node:tkube-new', usage: 'client' });
  let nextConn = 0;
  const connIds = new WeakMap<object, number>();
  server = https.createServer({ cert: serving.cert, key: serving.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const sock = req.socket as TLSSocket;
    const conn = connIds.get(sock)!;
    const watch = new URL(req.url ?? '/', 'https://x').searchParams.get('watch') === 'true';
    seen.push({ cn: String(sock.getPeerCertificate().subject?.CN), conn, watch });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (watch) {
      watchers.push(res);
      return;
    }
    res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
  });
  server.on('secureConnection', (sock: TLSSocket) => {
    const id = ++nextConn;
    connIds.set(sock, id);
    sock.on('close', () => closedConns.add(id));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

const event = (name: string) => `${JSON.stringify({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } } })}\n`;

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('KubeClient.setClientCertificate', () => {
  it('presents the new certificate on new connections while a watch opened before keeps streaming', async () => {
    const client = new KubeClient({ server: url, ca: ca.cert, cert: first.cert, key: first.key });
    try {
      const cms = client.resource(configMaps, 'default');
      const watch = cms.watch({ resourceVersion: '1' });
      const firstEvent = watch.next();
      await until(() => watchers.length === 1);
      watchers[0]!.write(event('before'));
      expect((await firstEvent).value?.object.metadata.name).toBe('before');
      // A list beside the watch: its keep-alive connection then sits idle.
      await cms.list();
      const idleConn = seen.at(-1)!.conn;
      expect(seen.at(-1)!.cn).toBe('system:node:tkube-old');

      client.setClientCertificate(second);
      await cms.list();
      const after = seen.at(-1)!;
      expect(after.cn).toBe('system:node:tkube-new');
      // The idle connection of the old certificate was closed, not reused.
      expect(after.conn).not.toBe(idleConn);
      await until(() => closedConns.has(idleConn));

      // The watch connection (old certificate) is still open and delivers events.
      const watchConn = seen.find((s) => s.watch)!;
      expect(watchConn.cn).toBe('system:node:tkube-old');
      expect(closedConns.has(watchConn.conn)).toBe(false);
      const next = watch.next();
      watchers[0]!.write(event('after'));
      expect((await next).value?.object.metadata.name).toBe('after');
      await watch.return(undefined);
    } finally {
      client.close();
    }
  });

  it('closes the old connection of a request in flight once it completes', async () => {
    const client = new KubeClient({ server: url, ca: ca.cert, cert: first.cert, key: first.key });
    try {
      const cms = client.resource(configMaps, 'default');
      const watchersBefore = watchers.length;
      // A watch the server answers and then ends: its connection returns to the old agent's pool.
      const watch = cms.watch({ resourceVersion: '1' });
      const ev = watch.next();
      await until(() => watchers.length === watchersBefore + 1);
      const conn = seen.at(-1)!.conn;
      client.setClientCertificate(second);
      watchers.at(-1)!.end(event('last'));
      expect((await ev).value?.object.metadata.name).toBe('last');
      expect((await watch.next()).done).toBe(true);
      await until(() => closedConns.has(conn));
      await cms.list();
      expect(seen.at(-1)!.cn).toBe('system:node:tkube-new');
    } finally {
      client.close();
    }
  });
});
