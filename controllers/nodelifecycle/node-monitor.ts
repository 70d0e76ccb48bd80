/**
 * One node's health check (the "monitorNodeHealth" half of Kubernetes' node lifecycle
 * controller): a node whose heartbeat (Lease renewal or Ready heartbeat) has not changed
 * for the grace period gets its kubelet conditions set to Unknown; then its taints are
 * made to match its Ready condition (unreachable / not-ready, or none).
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import { nodes } from '../../api/registry.js';
import type { Lease } from '../../api/types/lease.js';
import type { Node } from '../../api/types/node.js';
import { HeartbeatTracker, heartbeatOf, readyStatus, rfc3339, silentNodeConditions } from './node-health.js';
import { readinessTaints, withReadinessTaints } from './taints.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeMonitorOptions {
  /** --node-monitor-grace-period: silence longer than this makes a node unreachable (40 s). */
  gracePeriodMs: number;
  /** --node-monitor-period: how often a silent node is looked at again (5 s). */
  monitorPeriodMs: number;
}

export class NodeMonitor {
  readonly heartbeats = new HeartbeatTracker();

  constructor(
    private readonly client: KubeClient,
    private readonly nodeInformer: SharedInformer<Node>,
    private readonly leaseInformer: SharedInformer<Lease>,
    private readonly opts: NodeMonitorOptions,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async reconcile(name: string): Promise<ReconcileResult | void> {
    let node = this.nodeInformer.store.getByName(undefined, name);
    if (!node) {
      this.heartbeats.forget(name);
      return;
    }
    const now = this.now();
    const lease = this.leaseInformer.store.getByName(NODE_LEASE_NAMESPACE, name);
    const lastSeenAlive = this.heartbeats.observe(name, heartbeatOf(node, lease), now);
    const silentFor = now - lastSeenAlive;

    if (silentFor >= this.opts.gracePeriodMs) {
      const conditions = silentNodeConditions(node, rfc3339(now));
      if (conditions) {
        this.log.info({ node: name, silentForMs: silentFor }, 'node stopped posting status; marking it Unknown');
        node = await this.write(() =>
          this.client.resource(nodes).patchStatus(name, 'merge', { metadata: { uid: node!.metadata.uid }, status: { conditions } }),
        );
        if (!node) return;
      }
    }

    const taints = withReadinessTaints(node.spec.taints ?? [], readinessTaints(readyStatus(node)), rfc3339(now));
    if (taints) {
      this.log.info({ node: name, ready: readyStatus(node), taints: taints.map((t) => `${t.key}:${t.effect}`) }, 'updating readiness taints');
      const patch = { metadata: { uid: node.metadata.uid, resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } };
      if (!(await this.write(() => this.client.resource(nodes).patch(name, 'merge', patch)))) return;
    }

    // Alive: look again when the grace period would run out. Silent: keep checking.
    return { requeueAfter: silentFor < this.opts.gracePeriodMs ? this.opts.gracePeriodMs - silentFor : this.opts.monitorPeriodMs };
  }

  /** A write to a node that may have gone meanwhile (undefined then). */
  private async write(fn: () => Promise<Node>): Promise<Node | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }
}
