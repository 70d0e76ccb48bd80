// The streaming server behind Exec/Attach/PortForward: the gRPC call registers a
// one-time token and returns its URL; the client (kubelet/apiserver proxy or
// kubectl) then opens a websocket on it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { SUPPORTED_PROTOCOLS } from './channel-protocol.js';

export type StreamHandler = (ws: WebSocket) => void;

const TOKEN_TTL_MS = 60_000;

export class StreamingServer {
  private readonly pending = new Map<string, { handler: StreamHandler; expires: number }>();
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private baseUrl = '';

  constructor(private readonly log: Logger) {
    this.http = http.createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('websocket upgrade required\n');
    });
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => SUPPORTED_PROTOCOLS.find((p) => protocols.has(p)) ?? [...protocols][0] ?? false,
    });
    this.http.on('upgrade', (req, socket, head) => {
      const m = /^\/(exec|attach|portforward)\/([0-9a-f]+)/.exec(req.url ?? '');
      const entry = m ? this.pending.get(m[2]!) : undefined;
      if (!m || !entry || entry.expires < Date.now()) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.pending.delete(m[2]!);
      this.wss.handleUpgrade(req, socket, head, (ws) => entry.handler(ws));
    });
  }

  async listen(addr: string): Promise<void> {
    const i = addr.lastIndexOf(':');
    const host = addr.slice(0, i) || '127.0.0.1';
    const port = Number(addr.slice(i + 1));
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const a = this.http.address() as AddressInfo;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
    this.log.info({ url: this.baseUrl }, 'streaming server listening');
  }

  /** Registers a session and returns the URL the client must open. */
  register(kind: 'exec' | 'attach' | 'portforward', handler: StreamHandler): string {
    const now = Date.now();
    for (const [t, e] of this.pending) if (e.expires < now) this.pending.delete(t);
    const token = randomBytes(16).toString('hex');
    this.pending.set(token, { handler, expires: now + TOKEN_TTL_MS });
    return `${this.baseUrl}/${kind}/${token}`;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => this.http.close(() => r()));
  }
}
