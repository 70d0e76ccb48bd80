/**
 * The HTTP layer of the client: keep-alive agents, bearer token or client certificates,
 * an optional client-side rate limit, Status bodies turned into ApiError, and retries
 * of transient failures when a retry cannot do a write twice:
 * - the request never reached the server (connection refused), or the server refused it
 *   before doing anything (429 or 5xx carrying Retry-After): any verb;
 * - connection reset, timeouts, 500/503/504: only requests marked idempotent
 *   (GET, and writes guarded by a resourceVersion precondition, which the server would
 *   reject as a Conflict rather than apply twice).
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ApiError, reasonForCode, type Status } from '../meta/errors.js';
import { TokenBucket } from '../workqueue/token-bucket.js';
import { Backoff, sleep } from './backoff.js';

export interface TransportOptions {
  server: string;
  token?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  userAgent?: string;
  /** Client-side rate limit; off unless qps > 0. */
  qps?: number;
  burst?: number;
  /** Retries of transient errors (default 5). */
  maxRetries?: number;
  /** Timeout of non-streaming requests in ms (default 60 s). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Safe to repeat after a failure whose outcome is unknown. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

const transientCodes = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
const notSentCodes = new Set(['ECONNREFUSED']);

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

export function buildQuery(query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Turns a non-2xx response into an ApiError, using its Status body when there is one. */
export function errorFromResponse(code: number, body: string, retryAfter?: string): ApiError {
  let status: Partial<Status> | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status') status = parsed as Partial<Status>;
  } catch {
    // not JSON: fall through
  }
  const err = status
    ? ApiError.fromStatus(status, code)
    : new ApiError(code, reasonForCode(code), body.trim() || `the server responded with HTTP ${code}`);
  if (retryAfter && /^\d+$/.test(retryAfter) && err.details?.retryAfterSeconds === undefined) {
    return new ApiError(err.code, err.reason, err.message, { ...err.details, retryAfterSeconds: Number(retryAfter) });
  }
  return err;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  stream: http.IncomingMessage;
}

/** A client certificate and its key (PEM). */
export interface ClientCertificate {
  cert: string;
  key: string;
}

export class Transport {
  readonly server: URL;
  private agent: http.Agent;
  /** Agents replaced by setClientCertificate whose connections (e.g. watches) may still be open. */
  private retired = new Set<http.Agent>();
  private readonly limiter?: TokenBucket;
  private readonly log: Logger;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: TransportOptions) {
    this.server = new URL(opts.server);
    this.agent = this.newAgent({ cert: opts.cert, key: opts.key });
    if (opts.qps && opts.qps > 0) this.limiter = new TokenBucket(opts.qps, Math.max(1, opts.burst ?? Math.ceil(opts.qps)));
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.maxRetries = opts.maxRetries ?? 5;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  private newAgent(client: Partial<ClientCertificate>): http.Agent {
    // No socket cap: each watch holds a connection for minutes.
    const base = { keepAlive: true, maxFreeSockets: 32 };
    if (this.server.protocol !== 'https:') return new http.Agent(base);
    return new https.Agent({
      ...base,
      ca: this.opts.ca,
      cert: client.cert,
      key: client.key,
      rejectUnauthorized: !this.opts.insecureSkipTLSVerify,
      servername: this.opts.tlsServerName,
    });
  }

  /**
   * Uses a new client certificate for every connection opened from now on (certificate
   * rotation). Connections already open keep the old one until they end: a watch in
   * flight is not cut, and idle keep-alive connections of the old certificate are closed
   * rather than reused.
   */
  setClientCertificate(client: ClientCertificate): void {
    if (this.server.protocol !== 'https:') throw new Error('a client certificate needs an https server');
    const old = this.agent;
    this.agent = this.newAgent(client);
    for (const a of this.retired) if (socketCount(a) === 0) this.retired.delete(a);
    for (const sockets of Object.values(old.freeSockets)) for (const s of sockets ?? []) s.destroy();
    // A request still running on the old agent frees its socket later: close it then.
    old.on('free', (socket: { destroy(): void }) => socket.destroy());
    this.retired.add(old);
  }

  /** Sends a request and returns the parsed JSON body of a 2xx answer; throws ApiError otherwise. */
  async json<R>(req: RequestOptions): Promise<R> {
    const backoff = new Backoff({ initialMs: 100, maxMs: 5000 });
    for (;;) {
      let delay: number | undefined;
      try {
        const res = await this.send(req, false);
        const text = await readAll(res.stream);
        if (res.status >= 200 && res.status < 300) {
          this.log.debug({ method: req.method, path: req.path, status: res.status }, 'request');
          return (text ? JSON.parse(text) : {}) as R;
        }
        const err = errorFromResponse(res.status, text, headerValue(res.headers['retry-after']));
        delay = this.retryDelayForStatus(err, req, backoff);
        if (delay === undefined) throw err;
        this.log.debug({ method: req.method, path: req.path, status: res.status, delay }, 'retrying after error status');
      } catch (err) {
        if (err instanceof ApiError || req.signal?.aborted) throw err;
        delay = this.retryDelayForNetwork(err, req, backoff);
        if (delay === undefined) throw err;
        this.log.debug({ method: req.method, path: req.path, err: errCode(err), delay }, 'retrying after network error');
      }
      await sleep(delay, req.signal);
    }
  }

  /**
   * Opens a streaming request (watch). Retries connecting like a GET; once a 2xx
   * response arrives the body stream is the caller's.
   */
  async stream(req: RequestOptions): Promise<http.IncomingMessage> {
    const backoff = new Backoff({ initialMs: 100, maxMs: 5000 });
    for (;;) {
      let delay: number | undefined;
      try {
        const res = await this.send(req, true);
        if (res.status >= 200 && res.status < 300) return res.stream;
        const text = await readAll(res.stream);
        const err = errorFromResponse(res.status, text, headerValue(res.headers['retry-after']));
        delay = this.retryDelayForStatus(err, req, backoff);
        if (delay === undefined) throw err;
      } catch (err) {
        if (err instanceof ApiError || req.signal?.aborted) throw err;
        delay = this.retryDelayForNetwork(err, req, backoff);
        if (delay === undefined) throw err;
      }
      await sleep(delay, req.signal);
    }
  }

  close(): void {
    this.agent.destroy();
    for (const a of this.retired) a.destroy();
    this.retired.clear();
  }

  private retryDelayForStatus(err: ApiError, req: RequestOptions, backoff: Backoff): number | undefined {
    if (backoff.attempts >= this.maxRetries) return undefined;
    const retryAfter = err.details?.retryAfterSeconds;
    // A 429, or any 5xx that names a Retry-After, was not processed: safe for every verb.
    if (retryAfter !== undefined && (err.code === 429 || err.code >= 500)) {
      backoff.next();
      return Math.min(retryAfter, 30) * 1000;
    }
    if (err.code === 429) return backoff.next();
    if (req.idempotent && (err.code === 500 || err.code === 503 || err.code === 504)) return backoff.next();
    return undefined;
  }

  private retryDelayForNetwork(err: unknown, req: RequestOptions, backoff: Backoff): number | undefined {
    if (backoff.attempts >= this.maxRetries) return undefined;
    const code = errCode(err);
    if (code && notSentCodes.has(code)) return backoff.next();
    if (req.idempotent && code && transientCodes.has(code)) return backoff.next();
    return undefined;
  }

  private async send(req: RequestOptions, streaming: boolean): Promise<RawResponse> {
    if (this.limiter) await this.limiter.take();
    const basePath = this.server.pathname.replace(/\/$/, '');
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json' };
    if (this.opts.userAgent) headers['User-Agent'] = this.opts.userAgent;
    if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body), 'utf8');
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const mod = this.server.protocol === 'https:' ? https : http;
    return new Promise<RawResponse>((resolve, reject) => {
      const r = mod.request(
        {
          protocol: this.server.protocol,
          hostname: this.server.hostname,
          port: this.server.port,
          path: basePath + req.path + buildQuery(req.query),
          method: req.method,
          headers,
          agent: this.agent,
          signal: req.signal,
        },
        (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res }),
      );
      r.on('error', reject);
      if (!streaming) {
        r.setTimeout(this.timeoutMs, () => r.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      }
      r.end(payload);
    });
  }
}

function socketCount(agent: http.Agent): number {
  let n = 0;
  for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) n += list?.length ?? 0;
  return n;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
