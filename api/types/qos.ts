/** The pod QoS class (Guaranteed, Burstable, BestEffort) as Kubernetes derives it from requests and limits. */
import type { PodSpec } from './pod.js';
import { parseQuantity } from './quantity.js';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

export function podQOSClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const limits = c.resources?.limits ?? {};
    // Requests default to limits when only limits are given.
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    for (const r of QOS_RESOURCES) {
      const req = requests[r] !== undefined ? parseQuantity(requests[r]) : undefined;
      const lim = limits[r] !== undefined ? parseQuantity(limits[r]) : undefined;
      if ((req ?? 0) !== 0 || (lim ?? 0) !== 0) anySet = true;
      if (lim === undefined || req === undefined || req !== lim) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
