/** Step-by-step progress on stdout ("  starting etcd ... done (120 ms)") and the waits the steps use. */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../api/client/kube-client.js';
import { nodes } from '../../api/registry.js';

export async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  process.stdout.write(`  ${what} ... `);
  try {
    const r = await fn();
    process.stdout.write(`done (${Math.round(performance.now() - t0)} ms)\n`);
    return r;
  } catch (err) {
    process.stdout.write('FAILED\n');
    throw err;
  }
}

/** Polls `probe` every `everyMs` until it returns true; otherwise fails with `failure`. */
export async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number, failure: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(failure);
    await sleep(everyMs);
  }
}

/** GET url; true on a 2xx. Over https the server certificate must chain to `ca` when given. */
function ok(url: string, ca?: string): Promise<boolean> {
  const u = new URL(url);
  const get = u.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(u, { timeout: 2_000, ...(u.protocol === 'https:' && ca ? { ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

/** Waits until url answers 2xx; `ca` (PEM) is the CA an https server's certificate must chain to. */
export function waitForHealthy(url: string, timeoutMs: number, failure: string, ca?: string): Promise<void> {
  return pollUntil(() => ok(url, ca), timeoutMs, failure, 100);
}

type NodeStatus = { status?: { conditions?: { type: string; status: string }[] } };

export function nodeIsReady(node: NodeStatus): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Waits until every named Node reports Ready=True, reading them with the client's credentials. */
export function waitForNodesReady(client: KubeClient, names: string[], timeoutMs: number, failure: string): Promise<void> {
  const nodeApi = client.resource(nodes);
  return pollUntil(
    async () => {
      for (const name of names) {
        if (!nodeIsReady(await nodeApi.get(name, { signal: AbortSignal.timeout(2_000) }))) return false;
      }
      return true;
    },
    timeoutMs,
    failure,
    250,
  );
}
