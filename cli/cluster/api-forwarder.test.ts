import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forwardTcpToUnix } from './api-forwarder.js';

describe('TCP to unix socket forwarder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tkube-fwd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries HTTP requests and streamed answers both ways', async () => {
    const socket = join(dir, 'api.sock');
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
    });
    await new Promise<void>((r) => server.listen(socket, () => r()));
    const fwd = await forwardTcpToUnix('127.0.0.1', 0, socket);
    try {
      const res = await fetch(`http://127.0.0.1:${fwd.port}/api/v1/nodes`, { method: 'POST', body: 'hello' });
      expect(await res.text()).toBe('POST /api/v1/nodes hello');
    } finally {
      await fwd.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('closes the client connection when nothing listens on the socket', async () => {
    const fwd = await forwardTcpToUnix('127.0.0.1', 0, join(dir, 'absent.sock'));
    try {
      await expect(fetch(`http://127.0.0.1:${fwd.port}/healthz`)).rejects.toThrow();
    } finally {
      await fwd.close();
    }
  });
});
