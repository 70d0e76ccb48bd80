/**
 * The kubelet's HTTP API (port 10250): /healthz, /pods, /containerLogs/<ns>/<pod>/<c>
 * and the websocket endpoints /exec/<ns>/<pod>/<c> and /attach/<ns>/<pod>/<c>, which
 * ask CRI for a streaming URL and relay the connection to it. The apiserver proxies
 * pods/log, pods/exec and pods/attach here.
 *
 * With `tls` the API is HTTPS only and every request must carry a client certificate
 * verified by the client CA (401 otherwise) whose user is authorized for
 * nodes/<subresource> of this node (403 otherwise), as the kubelet's x509 authentication
 * and Webhook authorization do. Without it, plain HTTP and no checks.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Pod } from '../api/types/pod.js';
import type { ContainerStatus as CriContainerStatus } from '../runtime/cri/types.js';
import type { CriClient } from './cri-client.js';
import { followLog, renderLog, type LogOptions } from './cri-log.js';
import { relayUpgrade } from './upgrade-proxy.js';
import { promises as fs } from 'node:fs';
import { forbiddenText, peerUser, requestAttributes, type KubeletAuthorizer } from './api-auth.js';
import type { ServingCertificate } from './serving-certificate.js';

export interface KubeletServerTls {
  certificate: ServingCertificate;
  /** PEM bundle of the CAs that sign client certificates (--client-ca-file). */
  clientCA: string;
  /** This node's name: requests are authorized against nodes/<subresource> <nodeName>. */
  nodeName: string;
  authorize: KubeletAuthorizer;
}

export interface KubeletServerOptions {
  port: number;
  address: string;
  cri: CriClient;
  pods: () => Pod[];
  findPod: (namespace: string, name: string) => Pod | undefined;
  runtimeState: (uid: string) => Promise<{ containers: Map<string, CriContainerStatus[]> }>;
  logger: Logger;
  tls?: KubeletServerTls;
}

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function truthy(v: string | null): boolean {
  return v !== null && v !== 'false' && v !== '0';
}

function parseLogOptions(q: URLSearchParams): LogOptions {
  const o: LogOptions = { timestamps: truthy(q.get('timestamps')) };
  const tail = q.get('tailLines') ?? q.get('tail');
  if (tail !== null && tail !== '' && Number(tail) >= 0) o.tailLines = Number(tail);
  if (q.get('sinceSeconds')) o.sinceMs = Date.now() - Number(q.get('sinceSeconds')) * 1000;
  if (q.get('sinceTime')) o.sinceMs = Date.parse(q.get('sinceTime')!);
  if (q.get('limitBytes')) o.limitBytes = Number(q.get('limitBytes'));
  return o;
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const log = o.logger.child({ component: 'kubelet-server' });

  /** The CRI container a request means: latest attempt, or the one before for ?previous. */
  async function container(ns: string, name: string, cname: string | undefined, previous: boolean): Promise<{ pod: Pod; status: CriContainerStatus }> {
    const pod = o.findPod(ns, name);
    if (!pod) throw new HttpError(404, `pod ${ns}/${name} not found on this node`);
    const cn = cname || pod.spec.containers[0]!.name;
    const rt = await o.runtimeState(pod.metadata.uid!);
    const list = rt.containers.get(cn);
    const status = previous ? list?.[1] : list?.[0];
    if (!status) {
      throw new HttpError(previous ? 400 : 400, previous
        ? `previous terminated container "${cn}" in pod "${name}" not found`
        : `container "${cn}" in pod "${name}" is waiting to start: ContainerCreating`);
    }
    return { pod, status };
  }

  /** Authentication then authorization of one request (HTTPS only). */
  async function admit(req: http.IncomingMessage): Promise<void> {
    if (!o.tls) return;
    const user = peerUser(req);
    if (!user) throw new HttpError(401, 'Unauthorized');
    const attrs = requestAttributes(req, o.tls.nodeName);
    let allowed: boolean;
    try {
      allowed = await o.tls.authorize(user, attrs);
    } catch (err) {
      log.warn({ err, user: user.name }, 'authorization of a kubelet API request failed');
      throw new HttpError(500, 'Authorization error');
    }
    if (!allowed) throw new HttpError(403, forbiddenText(user, attrs));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    await admit(req);
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/pods' || url.pathname === '/pods/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: o.pods() }));
      return;
    }
    if (parts[0] === 'containerLogs' && parts.length >= 3) {
      const q = url.searchParams;
      const { status } = await container(parts[1]!, parts[2]!, parts[3], truthy(q.get('previous')));
      const opts = parseLogOptions(q);
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      if (!truthy(q.get('follow'))) {
        res.end(renderLog(await fs.readFile(status.log_path, 'utf8').catch(() => ''), opts));
        return;
      }
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      const running = async () => {
        const r = await o.cri.runtime('ContainerStatus', { container_id: status.id, verbose: false }).catch(() => undefined);
        return r?.status?.state === 'CONTAINER_RUNNING';
      };
      await followLog(status.log_path, opts, (s) => {
        if (s) res.write(s);
      }, running, abort.signal);
      res.end();
      return;
    }
    throw new HttpError(404, `not found: ${url.pathname}`);
  }

  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    await admit(req);
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const kind = parts[0];
    if ((kind !== 'exec' && kind !== 'attach') || parts.length < 3) throw new HttpError(404, `not found: ${url.pathname}`);
    const q = url.searchParams;
    // The kubelet's own path shape (/exec/ns/pod/container) or the container in the query.
    const { status } = await container(parts[1]!, parts[2]!, parts[3] ?? q.get('container') ?? undefined, false);
    if (status.state !== 'CONTAINER_RUNNING') throw new HttpError(400, `container ${status.metadata?.name} is not running`);
    const flags = { stdin: truthy(q.get('stdin') ?? q.get('input')), stdout: truthy(q.get('stdout') ?? q.get('output')), stderr: truthy(q.get('stderr') ?? q.get('error')), tty: truthy(q.get('tty')) };
    const r = kind === 'exec'
      ? await o.cri.runtime('Exec', { container_id: status.id, cmd: q.getAll('command'), ...flags })
      : await o.cri.runtime('Attach', { container_id: status.id, ...flags });
    relayUpgrade(req, socket, head, new URL(r.url), (err) => log.warn({ err }, 'stream relay failed'));
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      const code = err instanceof HttpError ? err.code : 500;
      if (!(err instanceof HttpError)) log.warn({ err, url: req.url }, 'kubelet API request failed');
      if (!res.headersSent) res.writeHead(code, { 'content-type': 'text/plain' });
      res.end((err as Error).message);
    });
  };
  const server = o.tls ? httpsServer(o.tls, onRequest) : http.createServer(onRequest);
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((err: unknown) => {
      const code = err instanceof HttpError ? err.code : 500;
      const msg = (err as { details?: string }).details ?? (err as Error).message;
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(msg)}\r\nConnection: close\r\n\r\n${msg}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * An HTTPS server that asks for client certificates (verified against the client CA, but
 * the handshake does not fail without one, so the answer can be a 401) and takes a new
 * serving certificate without restarting.
 */
function httpsServer(tls: KubeletServerTls, onRequest: http.RequestListener): https.Server {
  const contextOptions = () => {
    const pair = tls.certificate.current();
    return { ...(pair ? { cert: pair.cert, key: pair.key } : {}), ca: tls.clientCA, requestCert: true, rejectUnauthorized: false };
  };
  const server = https.createServer({ ...contextOptions(), minVersion: 'TLSv1.2' }, onRequest);
  tls.certificate.onChange(() => server.setSecureContext(contextOptions()));
  return server;
}
