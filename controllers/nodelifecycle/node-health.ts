/**
 * How the node lifecycle controller decides a node has gone silent. A node proves it is
 * alive by renewing its Lease in kube-node-lease (or by posting a fresh Ready heartbeat).
 * As Kubernetes does, the controller trusts its own clock, not the timestamps: it notes
 * when it *saw* a heartbeat change, and a node whose heartbeat has not changed for the
 * grace period is unreachable. A node seen for the first time gets a full grace period.
 */
import type { Lease } from '../../api/types/lease.js';
import type { Node, NodeCondition } from '../../api/types/node.js';

/** The conditions a kubelet reports and the controller marks Unknown when it goes silent. */
export const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** metav1.Time's format: RFC 3339 in seconds. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export class HeartbeatTracker {
  private readonly seen = new Map<string, { heartbeat: string; observedAt: number }>();

  /** Records what the node's heartbeat looks like now; returns when it last changed (epoch ms). */
  observe(nodeName: string, heartbeat: string, now: number): number {
    const last = this.seen.get(nodeName);
    if (last && last.heartbeat === heartbeat) return last.observedAt;
    this.seen.set(nodeName, { heartbeat, observedAt: now });
    return now;
  }

  forget(nodeName: string): void {
    this.seen.delete(nodeName);
  }
}

/** Everything whose change proves the kubelet is alive: the lease renewal and the Ready heartbeat. */
export function heartbeatOf(node: Node, lease: Lease | undefined): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return `${lease?.spec.renewTime ?? ''}|${ready?.lastHeartbeatTime ?? ''}`;
}

export function readyStatus(node: Node): NodeCondition['status'] | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/**
 * The node's conditions once its kubelet has gone silent: each kubelet condition becomes
 * Unknown (NodeStatusUnknown, or NodeStatusNeverUpdated if the kubelet never reported
 * it); others are kept. Returns undefined when they already say so.
 */
export function silentNodeConditions(node: Node, now: string): NodeCondition[] | undefined {
  const current = node.status?.conditions ?? [];
  const next = [...current];
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const i = next.findIndex((c) => c.type === type);
    const old = next[i];
    if (!old) {
      next.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (old.status !== 'Unknown') {
      next[i] = { ...old, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now };
      changed = true;
    }
  }
  return changed ? next : undefined;
}
