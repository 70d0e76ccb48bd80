/** Helpers for scheduler integration tests: fake Nodes (no kubelet), pods, waiting. */
import type { KubeClient } from '../../api/client/kube-client.js';
import { nodes, pods } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import { makeNode, makePod, type NodeSpecInput, type PodSpecInput } from '../../scheduler/test-objects.js';

export async function createNode(client: KubeClient, name: string, o: NodeSpecInput = {}): Promise<void> {
  await client.resource(nodes).create(makeNode(name, o));
}

export async function createPod(client: KubeClient, name: string, o: PodSpecInput = {}): Promise<void> {
  const pod = makePod(name, o);
  delete pod.metadata.uid;
  await client.resource(pods, pod.metadata.namespace).create(pod);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function getPod(client: KubeClient, name: string, namespace = 'default'): Promise<Pod> {
  return client.resource(pods, namespace).get(name);
}

/** Resolves with the node once the pod is bound. */
export function waitBound(client: KubeClient, name: string, timeoutMs = 10_000): Promise<string> {
  return waitFor(`pod ${name} to be bound`, async () => (await getPod(client, name)).spec.nodeName || undefined, timeoutMs);
}

/** Pod name → node name for pods whose name starts with prefix. */
export async function placements(client: KubeClient, prefix: string): Promise<Record<string, string>> {
  const list = await client.resource(pods, 'default').list();
  const out: Record<string, string> = {};
  for (const p of list.items) if (p.metadata.name!.startsWith(prefix)) out[p.metadata.name!] = p.spec.nodeName ?? '';
  return out;
}

export async function waitAllBound(client: KubeClient, prefix: string, count: number, timeoutMs = 15_000): Promise<Record<string, string>> {
  return waitFor(`${count} ${prefix}* pods bound`, async () => {
    const p = await placements(client, prefix);
    const bound = Object.values(p).filter(Boolean).length;
    return bound === count ? p : undefined;
  }, timeoutMs);
}

export function podScheduledCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
}
