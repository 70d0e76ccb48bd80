/**
 * The node lifecycle controller: two reconcile loops over shared caches of Nodes, node
 * Leases and Pods.
 * - nodes (key: node name) — NodeMonitor: silent nodes become Ready=Unknown; readiness
 *   taints follow the Ready condition. Lease renewals and node changes requeue a node.
 * - pods (key: namespace/name) — PodEvictor: pods on NoExecute-tainted nodes are evicted
 *   after their tolerationSeconds; pods on deleted nodes are removed. A node's taints
 *   changing, or the node going, requeues every pod bound to it.
 */
import type { SharedInformer } from '../../api/informer/informer.js';
import { deletedObject } from '../../api/informer/informer.js';
import { byNodeName } from '../../api/informer/indexers.js';
import { objectKey } from '../../api/meta/object-meta.js';
import { runController } from '../../api/reconcile/controller.js';
import { leases, nodes, pods } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { readyStatus } from './node-health.js';
import { NODE_LEASE_NAMESPACE, NodeMonitor, type NodeMonitorOptions } from './node-monitor.js';
import { PodEvictor } from './pod-eviction.js';

export const NAME = 'nodelifecycle';
const POD_NODE_INDEX = 'spec.nodeName';

export interface NodeLifecycleOptions extends NodeMonitorOptions {
  /** How long a node must stay absent before the pods bound to it are removed (40 s). */
  orphanQuarantineMs: number;
}

export const defaultNodeLifecycleOptions: NodeLifecycleOptions = { gracePeriodMs: 40_000, monitorPeriodMs: 5_000, orphanQuarantineMs: 40_000 };

/** Adds an index unless another controller sharing the informer already did. */
function ensurePodNodeIndex(informer: SharedInformer<Pod>): void {
  try {
    informer.store.byIndex(POD_NODE_INDEX, '');
  } catch {
    informer.addIndexers({ [POD_NODE_INDEX]: byNodeName });
  }
}

/** Whether the NoExecute taints changed: only they decide evictions. */
function noExecuteTaints(node: Node): string {
  return JSON.stringify((node.spec.taints ?? []).filter((t) => t.effect === 'NoExecute'));
}

export class NodeLifecycleController implements Controller {
  readonly name = NAME;
  private readonly nodeQueue = new RateLimitingQueue<string>();
  private readonly podQueue = new RateLimitingQueue<string>();
  private readonly monitor: NodeMonitor;
  private readonly evictor: PodEvictor;

  constructor(
    private readonly deps: ControllerDeps,
    opts: NodeLifecycleOptions = defaultNodeLifecycleOptions,
  ) {
    const log = deps.logger.child({ controller: NAME });
    const nodeInformer = deps.informers.informerFor(nodes);
    const leaseInformer = deps.informers.informerFor(leases, { namespace: NODE_LEASE_NAMESPACE });
    const podInformer = deps.informers.informerFor(pods);
    ensurePodNodeIndex(podInformer);
    this.monitor = new NodeMonitor(deps.client, nodeInformer, leaseInformer, opts, log);
    this.evictor = new PodEvictor(deps.client, opts.orphanQuarantineMs, podInformer, nodeInformer, deps.recorder('taint-eviction-controller'), log);

    const podsOn = (nodeName: string) => {
      for (const pod of podInformer.store.byIndex(POD_NODE_INDEX, nodeName)) this.podQueue.add(objectKey(pod));
    };
    nodeInformer.addEventHandler({
      onAdd: (node) => {
        this.evictor.nodeSeen(node.metadata.name!);
        this.nodeQueue.add(node.metadata.name!);
        podsOn(node.metadata.name!);
      },
      onUpdate: (old, node) => {
        this.nodeQueue.add(node.metadata.name!);
        if (noExecuteTaints(old) !== noExecuteTaints(node) || readyStatus(old) !== readyStatus(node)) {
          this.evictor.taintClock.prune(node.metadata.name!, node.spec.taints ?? []);
          podsOn(node.metadata.name!);
        }
      },
      onDelete: (obj) => {
        const name = deletedObject(obj).metadata.name!;
        this.nodeQueue.add(name);
        this.evictor.taintClock.prune(name, []);
        podsOn(name);
      },
    });
    const leaseChanged = (lease: { metadata: { name?: string } }) => this.nodeQueue.add(lease.metadata.name!);
    leaseInformer.addEventHandler({ onAdd: leaseChanged, onUpdate: (_old, lease) => leaseChanged(lease) });
    const podChanged = (pod: Pod) => {
      if (pod.spec.nodeName) this.podQueue.add(objectKey(pod));
    };
    podInformer.addEventHandler({ onAdd: podChanged, onUpdate: (_old, pod) => podChanged(pod) });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    const common = { workers, logger: this.deps.logger, signal };
    const loops = [
      runController({ ...common, name: NAME, queue: this.nodeQueue, reconcile: (name) => this.monitor.reconcile(name) }),
      runController({ ...common, name: `${NAME}-pod-eviction`, queue: this.podQueue, reconcile: (key) => this.evictor.reconcile(key) }),
    ];
    await Promise.all(loops.map((l) => l.done));
  }
}

export function nodeLifecycleControllerFactory(opts: Partial<NodeLifecycleOptions> = {}): ControllerFactory {
  return (deps) => new NodeLifecycleController(deps, { ...defaultNodeLifecycleOptions, ...opts });
}

export const nodeLifecycleController: ControllerFactory = nodeLifecycleControllerFactory();
