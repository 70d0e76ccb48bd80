/**
 * What happens to one pod bound to a node (Kubernetes' NoExecute taint eviction manager
 * and the orphan half of the pod garbage collector):
 * - its node does not exist (checked live, not only in the cache) and has stayed absent
 *   for a quarantine period (a kubelet may still be registering it): delete it at once
 *   (grace 0: no kubelet is left to stop it);
 * - its node is not Ready: the pod is not Ready either (its kubelet cannot say so), so
 *   endpoints stop sending it traffic (Kubernetes' MarkPodsNotReady);
 * - its node has NoExecute taints it does not tolerate: delete it (graceful deletion);
 * - it tolerates them for tolerationSeconds: come back when that time is up.
 * Before deleting, the pod gets a DisruptionTarget condition saying why, as Kubernetes does.
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import type { EventRecorder } from '../../api/events/recorder.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import { nodes, pods } from '../../api/registry.js';
import type { Node, Taint } from '../../api/types/node.js';
import type { Pod, PodCondition } from '../../api/types/pod.js';
import { readyStatus, rfc3339 } from './node-health.js';
import { evictionTime } from './taints.js';

/**
 * When each NoExecute taint appeared: its timeAdded, or for a taint without one, when
 * this controller first saw it (tolerationSeconds must count from a fixed instant).
 */
export class TaintClock {
  private readonly firstSeen = new Map<string, number>();

  since(nodeName: string, taint: Taint, now: number): number {
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : NaN;
    if (!Number.isNaN(added)) return added;
    const key = `${nodeName}|${taint.key}|${taint.value ?? ''}`;
    let t = this.firstSeen.get(key);
    if (t === undefined) this.firstSeen.set(key, (t = now));
    return t;
  }

  /** Drops what it remembers of taints a node no longer has. */
  prune(nodeName: string, taints: Taint[]): void {
    const present = new Set(taints.map((t) => `${nodeName}|${t.key}|${t.value ?? ''}`));
    for (const key of this.firstSeen.keys()) if (key.startsWith(`${nodeName}|`) && !present.has(key)) this.firstSeen.delete(key);
  }
}

function disruption(reason: string, message: string): PodCondition {
  return { type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: rfc3339(Date.now()) };
}

export class PodEvictor {
  readonly taintClock = new TaintClock();
  /** node name → when it was first found missing (pod GC's quarantine) */
  private readonly missingSince = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    /** How long a node must stay absent before its pods are removed (Kubernetes' pod GC: 40 s). */
    private readonly orphanQuarantineMs: number,
    private readonly podInformer: SharedInformer<Pod>,
    private readonly nodeInformer: SharedInformer<Node>,
    private readonly recorder: EventRecorder,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A node (re)appeared: its pods are no longer candidates for the orphan rule. */
  nodeSeen(nodeName: string): void {
    this.missingSince.delete(nodeName);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const pod = this.podInformer.store.get(key);
    const nodeName = pod?.spec.nodeName;
    if (!pod || !nodeName) return;
    const node = this.nodeInformer.store.getByName(undefined, nodeName);
    if (!node) return this.collectIfNodeGone(pod, nodeName);
    if (pod.metadata.deletionTimestamp) return;
    const nodeReady = readyStatus(node);
    if (nodeReady !== undefined && nodeReady !== 'True') await this.markNotReady(pod);

    const now = this.now();
    const when = evictionTime(node.spec.taints ?? [], pod.spec.tolerations ?? [], (t) => this.taintClock.since(nodeName, t, now));
    if (when.kind === 'never') return;
    if (when.kind === 'at' && when.at > now) return { requeueAfter: when.at - now };

    this.log.info({ pod: key, node: nodeName }, 'evicting pod from tainted node');
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    await this.addCondition(pod, disruption('DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint'));
    await this.deletePod(pod, undefined);
  }

  /** The pod GC's orphan rule: a pod bound to a node that does not exist is removed for good. */
  private async collectIfNodeGone(pod: Pod, nodeName: string): Promise<ReconcileResult | void> {
    try {
      await this.client.resource(nodes).get(nodeName);
      return; // the cache is behind; the node's arrival requeues its pods
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    const now = this.now();
    let since = this.missingSince.get(nodeName);
    if (since === undefined) this.missingSince.set(nodeName, (since = now));
    if (now - since < this.orphanQuarantineMs) return { requeueAfter: since + this.orphanQuarantineMs - now };
    this.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node: nodeName }, 'deleting pod bound to a node that no longer exists');
    await this.addCondition(pod, disruption('DeletionByPodGC', 'PodGC: node no longer exists'));
    await this.deletePod(pod, 0);
  }

  private async markNotReady(pod: Pod): Promise<void> {
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') return;
    this.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'marking pod not ready: its node is not ready');
    await this.addCondition(pod, { type: 'Ready', status: 'False', lastTransitionTime: rfc3339(this.now()) });
  }

  /** Merges one condition (by type) into the pod's status. */
  private async addCondition(pod: Pod, condition: PodCondition): Promise<void> {
    try {
      await this.client
        .resource(pods, pod.metadata.namespace)
        .patchStatus(pod.metadata.name!, 'strategic', { metadata: { uid: pod.metadata.uid }, status: { conditions: [condition] } });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
  }

  private async deletePod(pod: Pod, gracePeriodSeconds: number | undefined): Promise<void> {
    try {
      await this.client.resource(pods, pod.metadata.namespace).delete(pod.metadata.name!, { gracePeriodSeconds, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
  }
}
