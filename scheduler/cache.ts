/**
 * The scheduler's view of the cluster: nodes and the pods on them, including pods that
 * are "assumed" (chosen for a node, binding still in flight). Counting a pod as soon as
 * it is chosen is what keeps two consecutive decisions from double-booking a node; a
 * failed binding forgets the pod, and the informer's bound pod confirms it.
 */
import type { Node } from '../api/types/node.js';
import { NodeInfo, type AffinityTally } from './node-info.js';
import type { PodInfo } from './pod-info.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Nodes whose Node object is known, in a stable order the algorithm iterates. */
  readonly nodeList: NodeInfo[] = [];
  private readonly pods = new Map<string, PodState>();
  /** How many cached pods carry affinity terms (InterPodAffinity skips its scans at zero). */
  readonly affinityTally: AffinityTally = { withAffinity: 0, withRequiredAntiAffinity: 0 };

  nodeCount(): number {
    return this.nodeList.length;
  }

  getNode(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  private infoFor(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name, this.affinityTally)));
    return info;
  }

  addOrUpdateNode(node: Node): NodeInfo {
    const info = this.infoFor(node.metadata.name!);
    info.setNode(node);
    if (info.index < 0) {
      info.index = this.nodeList.length;
      this.nodeList.push(info);
    }
    return info;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    if (info.index >= 0) {
      // Swap-remove keeps the list dense without shifting every node.
      const last = this.nodeList.pop()!;
      if (last !== info) {
        this.nodeList[info.index] = last;
        last.index = info.index;
      }
      info.index = -1;
    }
    info.node = undefined;
    // Pods still on a deleted node keep a placeholder until they go (as kube-scheduler's cache).
    if (info.pods.size === 0) this.nodes.delete(name);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  /** The node a pod is counted on (assumed or bound), if any. */
  nodeOf(key: string): string | undefined {
    return this.pods.get(key)?.nodeName;
  }

  assumePod(info: PodInfo, nodeName: string): void {
    if (this.pods.has(info.key)) throw new Error(`pod ${info.key} is already in the scheduler cache`);
    this.infoFor(nodeName).addPod(info);
    this.pods.set(info.key, { info, nodeName, assumed: true });
  }

  /** Undoes assumePod after a failed binding. */
  forgetPod(key: string): void {
    const st = this.pods.get(key);
    if (!st?.assumed) return;
    this.detach(key, st.nodeName);
  }

  /** A bound pod seen by the informer (confirms an assumed one). */
  addOrUpdatePod(info: PodInfo, nodeName: string): void {
    const st = this.pods.get(info.key);
    if (st) this.detach(info.key, st.nodeName);
    this.infoFor(nodeName).addPod(info);
    this.pods.set(info.key, { info, nodeName, assumed: false });
  }

  removePod(key: string): void {
    const st = this.pods.get(key);
    if (st) this.detach(key, st.nodeName);
  }

  podCount(): number {
    return this.pods.size;
  }

  private detach(key: string, nodeName: string): void {
    this.pods.delete(key);
    const info = this.nodes.get(nodeName);
    if (!info) return;
    info.removePod(key);
    if (!info.node && info.pods.size === 0) this.nodes.delete(nodeName);
  }
}
