import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenOnUnixSocket } from './unix-listener.js';

function getOverSocket(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the apiserver on a unix socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tkube-unix-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the same HTTP server on TCP and on the socket, replacing a stale socket file', async () => {
    const server = createServer((req, res) => res.end(`served ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const socket = join(dir, 'apiserver.sock');
    writeFileSync(socket, ''); // what a crashed run leaves
    const listener = await listenOnUnixSocket(server, socket);
    try {
      expect(await getOverSocket(socket, '/healthz')).toBe('served /healthz');
      const port = (server.address() as { port: number }).port;
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).text()).toBe('served /readyz');
    } finally {
      listener.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
