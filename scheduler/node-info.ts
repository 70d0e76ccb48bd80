/**
 * Per-node state the filters and scores read: the node's labels, taints and
 * allocatable (parsed once), and the sum of what its pods (bound or assumed) request,
 * their host ports, and which of them carry affinity terms.
 */
import type { Node, Taint } from '../api/types/node.js';
import { hasAffinity, type HostPort, type PodInfo } from './pod-info.js';
import { addResource, emptyResource, nodeAllocatable, type Resource } from './resources.js';

export interface AffinityTally {
  withAffinity: number;
  withRequiredAntiAffinity: number;
}

export class NodeInfo {
  node: Node | undefined;
  labels: Record<string, string> = {};
  unschedulable = false;
  /** NoSchedule and NoExecute taints: the filter's concern. */
  hardTaints: Taint[] = [];
  /** PreferNoSchedule taints: the score's concern. */
  softTaints: Taint[] = [];
  allocatable: Resource = emptyResource();
  allowedPodNumber = 0;
  readonly requested: Resource = emptyResource();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** Pods with any (anti-)affinity term, for InterPodAffinity. */
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  readonly usedPorts: HostPort[] = [];
  /** Pods per controller owner uid, for default spreading without scanning pods. */
  readonly ownerCounts = new Map<string, number>();
  /** Position in the cache's node list (-1 when the node object is not known yet). */
  index = -1;

  constructor(
    readonly name: string,
    /** Cluster-wide tallies kept by the cache, so plugins can skip whole-cluster scans. */
    private readonly tally: AffinityTally = { withAffinity: 0, withRequiredAntiAffinity: 0 },
  ) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.unschedulable = node.spec.unschedulable === true;
    const taints = node.spec.taints ?? [];
    this.hardTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    this.softTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
    const cap = nodeAllocatable(node);
    this.allocatable = cap.allocatable;
    this.allowedPodNumber = cap.allowedPodNumber;
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    addResource(this.requested, p.requests);
    this.nonZeroMilliCPU += p.nonZeroMilliCPU;
    this.nonZeroMemory += p.nonZeroMemory;
    if (hasAffinity(p)) {
      this.podsWithAffinity.add(p);
      this.tally.withAffinity++;
    }
    if (p.requiredAntiAffinity.length > 0) {
      this.podsWithRequiredAntiAffinity.add(p);
      this.tally.withRequiredAntiAffinity++;
    }
    for (const hp of p.hostPorts) this.usedPorts.push(hp);
    if (p.ownerUid) this.ownerCounts.set(p.ownerUid, (this.ownerCounts.get(p.ownerUid) ?? 0) + 1);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    addResource(this.requested, p.requests, -1);
    this.nonZeroMilliCPU -= p.nonZeroMilliCPU;
    this.nonZeroMemory -= p.nonZeroMemory;
    if (this.podsWithAffinity.delete(p)) this.tally.withAffinity--;
    if (this.podsWithRequiredAntiAffinity.delete(p)) this.tally.withRequiredAntiAffinity--;
    for (const hp of p.hostPorts) {
      const i = this.usedPorts.indexOf(hp);
      if (i >= 0) this.usedPorts.splice(i, 1);
    }
    if (p.ownerUid) {
      const n = (this.ownerCounts.get(p.ownerUid) ?? 0) - 1;
      if (n > 0) this.ownerCounts.set(p.ownerUid, n);
      else this.ownerCounts.delete(p.ownerUid);
    }
    return p;
  }
}
