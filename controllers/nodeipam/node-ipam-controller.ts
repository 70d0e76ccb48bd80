/**
 * Node IPAM (Kubernetes' range allocator): every Node without spec.podCIDR gets the
 * next free subnet of the cluster CIDR, written to spec.podCIDR and spec.podCIDRs; the
 * subnet returns to the pool when the Node is deleted. The pool is rebuilt from the
 * Nodes' existing podCIDRs before any allocation (informer handlers run for every cached
 * Node before the workers start), so a restart never hands out a subnet twice.
 */
import type { Logger } from 'pino';
import type { EventRecorder } from '../../api/events/recorder.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { deletedObject } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { nodes } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { CidrAllocator } from './cidr-allocator.js';

export const NAME = 'nodeipam';

export interface NodeIpamOptions {
  /** --cluster-cidr */
  clusterCidr: string;
  /** --node-cidr-mask-size */
  nodeCidrMaskSize: number;
}

export const defaultNodeIpamOptions: NodeIpamOptions = { clusterCidr: '10.244.0.0/16', nodeCidrMaskSize: 24 };

/** When the pool is exhausted, look again this often (a Node may have gone meanwhile). */
const FULL_RETRY_MS = 30_000;

export class NodeIpamController implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly allocator: CidrAllocator;
  /** node name → the subnet it holds (or was given and has not been seen with yet) */
  private readonly assigned = new Map<string, string>();
  private readonly informer: SharedInformer<Node>;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;

  constructor(
    private readonly deps: ControllerDeps,
    opts: NodeIpamOptions = defaultNodeIpamOptions,
  ) {
    this.allocator = new CidrAllocator(opts.clusterCidr, opts.nodeCidrMaskSize);
    this.recorder = deps.recorder('node-controller');
    this.log = deps.logger.child({ controller: NAME });
    this.informer = deps.informers.informerFor(nodes);
    this.informer.addEventHandler({
      onAdd: (node) => this.observe(node),
      onUpdate: (_old, node) => this.observe(node),
      onDelete: (obj) => this.release(deletedObject(obj).metadata.name!),
    });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    await runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (key) => this.reconcile(key) }).done;
  }

  /** A Node with a podCIDR holds it; one without needs one. */
  private observe(node: Node): void {
    const name = node.metadata.name!;
    const cidr = node.spec.podCIDR;
    if (cidr) {
      const pending = this.assigned.get(name);
      if (pending && pending !== cidr) this.allocator.release(pending); // someone else set it first
      this.assigned.set(name, cidr);
      this.allocator.occupy(cidr);
    } else {
      this.queue.add(name);
    }
  }

  private release(name: string): void {
    const cidr = this.assigned.get(name);
    if (!cidr) return;
    this.assigned.delete(name);
    this.allocator.release(cidr);
    this.log.info({ node: name, podCIDR: cidr }, 'released pod CIDR of deleted node');
    // Nodes that found the pool full may fit now.
    for (const waiting of this.informer.store.list()) if (!waiting.spec.podCIDR) this.queue.add(waiting.metadata.name!);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.informer.store.getByName(undefined, name);
    if (!node || node.spec.podCIDR) return;
    let cidr = this.assigned.get(name); // allocated before, write not yet seen (or it failed)
    if (!cidr) {
      cidr = this.allocator.allocate();
      if (!cidr) {
        this.recorder.event(node, 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        return { requeueAfter: FULL_RETRY_MS };
      }
      this.assigned.set(name, cidr);
    }
    try {
      await this.deps.client
        .resource(nodes)
        .patch(name, 'merge', { metadata: { uid: node.metadata.uid }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    } catch (err) {
      // The Node went (or was replaced) meanwhile: give the subnet back.
      if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) {
        if (this.assigned.get(name) === cidr && !this.informer.store.getByName(undefined, name)?.spec.podCIDR) this.release(name);
        if (isApiError(err, 'NotFound')) return;
      }
      throw err;
    }
    this.log.info({ node: name, podCIDR: cidr }, 'assigned pod CIDR');
  }
}

export function nodeIpamControllerFactory(opts: Partial<NodeIpamOptions> = {}): ControllerFactory {
  return (deps) => new NodeIpamController(deps, { ...defaultNodeIpamOptions, ...opts });
}

export const nodeIpamController: ControllerFactory = nodeIpamControllerFactory();
