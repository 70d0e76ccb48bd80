/**
 * Raw requests for what the typed client does not cover: an Accept header of our own
 * (server-side Tables), and streamed bodies (logs). Errors become ApiError like the
 * client's.
 */
import http from 'node:http';
import https from 'node:https';
import type { ConnectionConfig } from '../../api/client/kubeconfig.js';
import { buildQuery, errorFromResponse } from '../../api/client/transport.js';

export interface RawRequest {
  method?: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  accept?: string;
  signal?: AbortSignal;
}

/** TLS and auth options of a connection, shared by HTTP requests and websockets. */
export function connectionOptions(conn: ConnectionConfig): https.RequestOptions {
  const opts: https.RequestOptions = { headers: { 'User-Agent': 'tkctl' } };
  if (conn.token) opts.headers = { ...opts.headers, Authorization: `Bearer ${conn.token}` };
  if (conn.ca) opts.ca = conn.ca;
  if (conn.cert) opts.cert = conn.cert;
  if (conn.key) opts.key = conn.key;
  if (conn.insecureSkipTLSVerify) opts.rejectUnauthorized = false;
  if (conn.tlsServerName) opts.servername = conn.tlsServerName;
  return opts;
}

export function requestUrl(conn: ConnectionConfig, path: string, query?: RawRequest['query']): URL {
  const base = new URL(conn.server);
  return new URL(base.pathname.replace(/\/$/, '') + path + buildQuery(query), base);
}

/** Opens a request and resolves with the response stream of a 2xx answer; rejects with ApiError otherwise. */
export function openStream(conn: ConnectionConfig, req: RawRequest): Promise<http.IncomingMessage> {
  const url = requestUrl(conn, req.path, req.query);
  const base = connectionOptions(conn);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = mod.request(
      url,
      // agent: false — one connection per request, so that no idle keep-alive socket holds the CLI open.
      { ...base, agent: false, method: req.method ?? 'GET', headers: { ...base.headers, Accept: req.accept ?? 'application/json' }, signal: req.signal },
      (res) => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(errorFromResponse(code, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end();
  });
}

export async function getJson<R>(conn: ConnectionConfig, req: RawRequest): Promise<R> {
  const res = await openStream(conn, req);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as R;
}
