/**
 * Makes a TCP port on the host's 127.0.0.1 reachable at the same 127.0.0.1 port inside a
 * network namespace, which cannot reach the host's loopback. Unix sockets are not
 * network-namespaced, so two hops meet at one: this process relays a unix socket to the
 * host port, and a small node process started in the namespace relays its loopback port
 * to that unix socket. The kubeconfig of the host side then works unchanged in the netns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetTopology } from './topology.js';

export interface Forwarder {
  close(): Promise<void>;
}

function relay(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

export async function forwardIntoNetns(topo: NetTopology, netns: string, port: number): Promise<Forwarder> {
  const dir = mkdtempSync(join(tmpdir(), 'tkna-fwd-'));
  const sock = join(dir, 'fwd.sock');
  const server = net.createServer((conn) => relay(conn, net.connect(port, '127.0.0.1')));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sock, () => resolve());
  });
  const script = [
    "const net = require('net');",
    `net.createServer((c) => { const u = net.connect(${JSON.stringify(sock)}); c.pipe(u); u.pipe(c);`,
    "  c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); c.on('close', () => u.destroy()); u.on('close', () => c.destroy()); })",
    `  .listen(${port}, '127.0.0.1', () => console.log('ready'));`,
  ].join('\n');
  const child = topo.spawnIn(netns, process.execPath, ['-e', script]);
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`forwarder in ${netns} exited (${code})`)));
    });
  } catch (err) {
    server.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    async close() {
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
