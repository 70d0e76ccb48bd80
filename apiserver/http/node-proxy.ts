/**
 * The apiserver side of pods/log, pods/exec and pods/attach: the request goes to the
 * kubelet of the pod's node (its InternalIP, else Hostname, and
 * daemonEndpoints.kubeletEndpoint.Port) at /containerLogs, /exec or /attach. Logs are
 * streamed back as they come; exec/attach are websocket upgrades whose socket is taken
 * over and relayed byte for byte, so kubectl and the kubelet (and behind it the
 * runtime's streaming server) speak the channel protocol end to end.
 * With a kubelet client configuration the connection is HTTPS and the apiserver
 * presents its kubelet client certificate (the kubelet refuses anyone else).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../../api/meta/errors.js';
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import { writeError } from './respond.js';
import { kubeletTlsOptions, type KubeletClientConfig } from './kubelet-client.js';

export type ProxiedSubresource = 'log' | 'exec' | 'attach';

/** host:port of the node's kubelet. */
export function kubeletAddress(node: Node): { host: string; port: number } {
  const addrs = node.status?.addresses ?? [];
  const host = addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'Hostname')?.address;
  if (!host) throw new ApiError(503, 'ServiceUnavailable', `node ${node.metadata.name} has no address`);
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || 10250 };
}

/** The container a request names, or the pod's only container. */
export function targetContainer(pod: Pod, query: URLSearchParams): string {
  const named = query.get('container');
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].map((c) => c.name);
  if (named) {
    if (!all.includes(named)) throw badRequest(`container ${named} is not valid for pod ${pod.metadata.name}`);
    return named;
  }
  if (pod.spec.containers.length === 1) return pod.spec.containers[0]!.name;
  throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(' ')}]`);
}

/** The kubelet path (with query) for a subresource request. */
export function kubeletPath(pod: Pod, subresource: ProxiedSubresource, query: URLSearchParams): string {
  const container = targetContainer(pod, query);
  const q = new URLSearchParams(query);
  q.delete('container');
  const seg = (s: string) => encodeURIComponent(s);
  const base = subresource === 'log' ? 'containerLogs' : subresource;
  const qs = q.toString();
  return `/${base}/${seg(pod.metadata.namespace ?? 'default')}/${seg(pod.metadata.name!)}/${seg(container)}${qs ? `?${qs}` : ''}`;
}

/** Takes the client connection over from Node's HTTP machinery (no 'upgrade' listener: it came as a request). */
function hijack(res: ServerResponse): Duplex {
  const sock = res.socket!;
  res.detachSocket(sock);
  for (const ev of ['data', 'end', 'drain', 'timeout', 'error', 'close']) sock.removeAllListeners(ev);
  sock.setTimeout(0);
  return sock;
}

function relay(req: IncomingMessage, client: Duplex, head: Buffer, host: string, port: number, path: string, kc: KubeletClientConfig | undefined): void {
  const upstream = kc ? tls.connect({ host, port, ...kubeletTlsOptions(kc, host) }) : net.connect({ host, port });
  upstream.on(kc ? 'secureConnect' : 'connect', () => {
    const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${host.includes(':') ? `[${host}]` : host}:${port}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.toLowerCase();
      if (name === 'host' || name === 'authorization') continue;
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (err) => {
    if (!client.destroyed) {
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `error dialing backend: ${err.message}`, reason: 'InternalError', code: 500 });
      client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    upstream.destroy();
  });
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.end());
}

/**
 * Proxies one pods/{log,exec,attach} request to the pod's kubelet. For an upgrade
 * (websocket) request without an 'upgrade' server listener, pass the ServerResponse:
 * its socket is taken over. With an 'upgrade' listener, pass { socket, head } instead.
 */
export async function proxyPodSubresource(
  req: IncomingMessage,
  res: ServerResponse | { socket: Duplex; head: Buffer },
  pod: Pod,
  node: Node | undefined,
  subresource: ProxiedSubresource,
  query: URLSearchParams,
  kubeletClient?: KubeletClientConfig,
): Promise<void> {
  const isUpgrade = (req.headers.upgrade ?? '').toLowerCase() === 'websocket' || !('writeHead' in res);
  let path: string;
  let target: { host: string; port: number };
  try {
    if (!pod.spec.nodeName || !node) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    if (subresource !== 'log' && !isUpgrade) {
      throw badRequest('Upgrade request required');
    }
    path = kubeletPath(pod, subresource, query);
    target = kubeletAddress(node);
  } catch (err) {
    if ('writeHead' in res) writeError(res, err);
    else {
      const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', String(err));
      const body = JSON.stringify(e.toStatus());
      res.socket.end(`HTTP/1.1 ${e.code} ${http.STATUS_CODES[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    return;
  }
  if (isUpgrade) {
    const client = 'writeHead' in res ? hijack(res) : res.socket;
    relay(req, client, 'writeHead' in res ? Buffer.alloc(0) : res.head, target.host, target.port, path, kubeletClient);
    return;
  }
  const out = res as ServerResponse;
  await new Promise<void>((resolve) => {
    const get = kubeletClient
      ? (cb: (r: IncomingMessage) => void) => https.get({ host: target.host, port: target.port, path, headers: { accept: req.headers.accept ?? '*/*' }, ...kubeletTlsOptions(kubeletClient, target.host) }, cb)
      : (cb: (r: IncomingMessage) => void) => http.get({ host: target.host, port: target.port, path, headers: { accept: req.headers.accept ?? '*/*' } }, cb);
    const upstream = get((kres) => {
      const code = kres.statusCode ?? 500;
      if (code >= 400) {
        // Kubernetes answers a kubelet error as a Status with the kubelet's text.
        let text = '';
        kres.on('data', (b: Buffer) => (text += b.toString()));
        kres.on('end', () => {
          writeError(out, new ApiError(code, code === 404 ? 'NotFound' : 'BadRequest', text.trim()));
          resolve();
        });
        return;
      }
      out.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      out.flushHeaders();
      kres.on('data', (b: Buffer) => out.write(b));
      kres.on('end', () => {
        out.end();
        resolve();
      });
      kres.on('error', () => {
        out.end();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (!out.headersSent) writeError(out, new ApiError(500, 'InternalError', `error dialing backend: ${err.message}`));
      else out.end();
      resolve();
    });
    out.on('close', () => upstream.destroy());
  });
}
