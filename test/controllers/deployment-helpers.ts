/** What the Deployment tests (in-process and real-process) read off a cluster. */
import { pods as podsDef } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import type { TestControlPlane } from '../helpers/control-plane.js';

export const isReady = (p: Pod): boolean =>
  !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The pods of app=<app> that are not being deleted. */
export async function livePods(cp: TestControlPlane, ns: string, app: string): Promise<Pod[]> {
  const list = await cp.client.resource(podsDef, ns).list({ labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

/** The distinct images of the pods' first containers, sorted. */
export function imagesOf(pods: Pod[]): string[] {
  return [...new Set(pods.map((p) => p.spec.containers[0]!.image ?? ''))].sort();
}

/** `kubectl rollout status` of a Deployment; its output. */
export async function rolloutStatus(cp: TestControlPlane, ns: string, name: string): Promise<string> {
  const { stdout } = await cp.kubectl(['-n', ns, 'rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
  return stdout;
}
