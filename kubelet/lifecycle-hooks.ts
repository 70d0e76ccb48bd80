/** postStart and preStop hooks: a failed postStart kills the container (as Kubernetes); preStop failures are only logged. */
import type { Logger } from 'pino';
import type { Container } from '../api/types/container.js';
import type { CriClient } from './cri-client.js';
import { runHandler } from './handler-runner.js';

export async function runPreStop(cri: CriClient, c: Container, containerId: string, podIPs: string[], graceS: number, log: Logger): Promise<void> {
  const h = c.lifecycle?.preStop;
  if (!h) return;
  const r = await runHandler(cri, c, containerId, podIPs[0], h, graceS);
  if (!r.ok) log.warn({ container: c.name, message: r.message }, 'preStop hook failed');
}

export async function runPostStart(cri: CriClient, c: Container, containerId: string, podIPs: string[]): Promise<{ ok: boolean; message: string }> {
  const h = c.lifecycle?.postStart;
  if (!h) return { ok: true, message: '' };
  return runHandler(cri, c, containerId, podIPs[0], h, 30);
}
