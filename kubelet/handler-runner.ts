/**
 * Runs one probe or lifecycle handler against a container: exec through CRI
 * ExecSync, httpGet from the node to the pod IP (2xx/3xx = success), tcpSocket
 * connect, sleep. Used by probes and by postStart/preStop hooks.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container } from '../api/types/container.js';
import type { CriClient } from './cri-client.js';

export interface Handler {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: 'HTTP' | 'HTTPS'; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  sleep?: { seconds: number };
}

export interface HandlerResult {
  ok: boolean;
  message: string;
}

/** A port by number or by the container's named port. */
export function resolvePort(c: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`port "${port}" not found in container ${c.name}`);
  return named.containerPort;
}

function httpGet(h: NonNullable<Handler['httpGet']>, c: Container, podIP: string, timeoutMs: number): Promise<HandlerResult> {
  return new Promise((resolve) => {
    const port = resolvePort(c, h.port);
    const host = h.host || podIP;
    const mod = h.scheme === 'HTTPS' ? https : http;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const x of h.httpHeaders ?? []) headers[x.name] = x.value;
    const req = mod.get(
      { host, port, path: h.path || '/', headers, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "http://${host}:${port}${h.path || '/'}": context deadline exceeded`)));
    req.on('error', (err) => resolve({ ok: false, message: err.message }));
  });
}

function tcp(h: NonNullable<Handler['tcpSocket']>, c: Container, podIP: string, timeoutMs: number): Promise<HandlerResult> {
  return new Promise((resolve) => {
    const port = resolvePort(c, h.port);
    const sock = net.connect({ host: h.host || podIP, port, timeout: timeoutMs });
    sock.on('connect', () => {
      sock.destroy();
      resolve({ ok: true, message: '' });
    });
    sock.on('timeout', () => {
      sock.destroy();
      resolve({ ok: false, message: `dial tcp ${h.host || podIP}:${port}: i/o timeout` });
    });
    sock.on('error', (err) => resolve({ ok: false, message: err.message }));
  });
}

export async function runHandler(
  cri: CriClient, c: Container, containerId: string, podIP: string | undefined, h: Handler, timeoutS: number,
): Promise<HandlerResult> {
  const timeoutMs = Math.max(1, timeoutS) * 1000;
  try {
    if (h.exec) {
      const r = await cri.runtime('ExecSync', { container_id: containerId, cmd: h.exec.command ?? [], timeout: Math.max(1, timeoutS) }, { timeoutMs: timeoutMs + 5000 });
      const out = `${Buffer.from(r.stdout).toString()}${Buffer.from(r.stderr).toString()}`;
      return r.exit_code === 0 ? { ok: true, message: out } : { ok: false, message: `command ${JSON.stringify(h.exec.command ?? [])} exited with ${r.exit_code}: ${out}` };
    }
    if (h.httpGet) {
      if (!podIP && !h.httpGet.host) return { ok: false, message: 'pod has no IP' };
      return await httpGet(h.httpGet, c, podIP ?? '', timeoutMs);
    }
    if (h.tcpSocket) {
      if (!podIP && !h.tcpSocket.host) return { ok: false, message: 'pod has no IP' };
      return await tcp(h.tcpSocket, c, podIP ?? '', timeoutMs);
    }
    if (h.sleep) {
      await new Promise((r) => setTimeout(r, h.sleep!.seconds * 1000));
      return { ok: true, message: '' };
    }
    return { ok: false, message: 'handler has no action' };
  } catch (err) {
    return { ok: false, message: (err as { details?: string }).details ?? (err as Error).message };
  }
}
