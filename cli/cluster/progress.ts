/** Step-by-step progress on stdout ("  starting etcd ... done (120 ms)") and the waits the steps use. */
import { setTimeout as sleep } from 'node:timers/promises';

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

async function ok(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.ok;
}

export function waitForHealthy(url: string, timeoutMs: number, failure: string): Promise<void> {
  return pollUntil(() => ok(url), timeoutMs, failure, 100);
}

type NodeStatus = { status?: { conditions?: { type: string; status: string }[] } };

export function nodeIsReady(node: NodeStatus): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Waits until every named Node reports Ready=True. */
export function waitForNodesReady(server: string, names: string[], timeoutMs: number, failure: string): Promise<void> {
  return pollUntil(
    async () => {
      for (const name of names) {
        const res = await fetch(`${server}/api/v1/nodes/${encodeURIComponent(name)}`, { signal: AbortSignal.timeout(2_000) });
        if (!res.ok || !nodeIsReady((await res.json()) as NodeStatus)) return false;
      }
      return true;
    },
    timeoutMs,
    failure,
    250,
  );
}
