/**
 * Small HTTP helpers for the apiserver integration tests: raw requests (so tests see the
 * exact status code and body) and a watch reader that collects events as they arrive.
 */
import http from 'node:http';
import https from 'node:https';
import { testPki } from '../helpers/test-pki.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface RequestOptions {
  body?: string | Buffer | object;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send no client certificate (https only; by default requests are the test admin's). */
  anonymous?: boolean;
}

/**
 * One request with node's http/https (fetch cannot present a client certificate): to an
 * https URL it trusts the test CA and, unless `anonymous`, authenticates as the admin.
 */
async function send(url: URL, method: string, headers: Record<string, string>, body: string | Buffer | undefined, opts: { signal?: AbortSignal; anonymous?: boolean }): Promise<http.IncomingMessage> {
  const tls = url.protocol === 'https:' ? (await testPki()).adminTls() : undefined;
  const reqOpts: https.RequestOptions = { method, headers, signal: opts.signal };
  if (tls) Object.assign(reqOpts, { ca: tls.ca, ...(opts.anonymous ? {} : { cert: tls.cert, key: tls.key }) });
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request(url, reqOpts, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

function headersOf(res: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) h.append(k, value);
  }
  return h;
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function request(base: string, method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const res = await send(new URL(base + path), method, headers, body, opts);
  const text = await readAll(res);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode ?? 0, headers: headersOf(res), text, json };
}

export interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    [k: string]: unknown;
  };
}

export interface WatchReader {
  events: WatchEvent[];
  /** Resolves when the stream has ended (server closed it). */
  ended: Promise<void>;
  /** Waits until `pred` holds for the collected events (rejects after timeoutMs). */
  waitFor(pred: (events: WatchEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens a watch (path must include watch=true) and collects its newline-delimited events. */
export async function openWatch(base: string, path: string): Promise<WatchReader> {
  const ac = new AbortController();
  const res = await send(new URL(base + path), 'GET', {}, undefined, { signal: ac.signal });
  if (res.statusCode !== 200) throw new Error(`watch ${path}: HTTP ${res.statusCode}: ${await readAll(res)}`);
  const events: WatchEvent[] = [];
  const listeners = new Set<() => void>();
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) events.push(JSON.parse(line) as WatchEvent);
        }
        for (const l of listeners) l();
      }
    } catch {
      /* aborted */
    }
    for (const l of listeners) l();
  })();
  return {
    events,
    ended,
    close: () => ac.abort(),
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pred(events)) {
            listeners.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`watch ${path}: condition not met in ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.type, e.object.metadata?.name]))}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

export function configMap(name: string, data: Record<string, string> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
