/**
 * The scheduler: informers feed the cache (nodes, bound pods) and the queue (pending
 * pods of this scheduler); one loop pops a pod, runs the algorithm synchronously,
 * assumes the pod on the chosen node and binds it in the background (a bounded number
 * of bindings in flight). A failed binding un-assumes the pod and retries it after its
 * backoff; a pod that fits nowhere gets PodScheduled=False and a FailedScheduling event.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import { EventRecorder } from '../api/events/recorder.js';
import type { SharedInformerFactory } from '../api/informer/factory.js';
import { deletedObject } from '../api/informer/informer.js';
import { isApiError } from '../api/meta/errors.js';
import { nodes as nodesDef, pods as podsDef } from '../api/registry.js';
import type { Node } from '../api/types/node.js';
import type { Pod } from '../api/types/pod.js';
import { SchedulingAlgorithm, type AlgorithmOptions } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { FitError } from './fit-error.js';
import type { Profile } from './framework.js';
import { newPodInfo, podKey } from './pod-info.js';
import { defaultProfile } from './plugins/index.js';
import { SchedulingQueue, type QueueOptions, type QueuedPod } from './queue.js';
import { hasUnschedulableCondition, setUnschedulableCondition, UNSCHEDULABLE } from './status.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  schedulerName?: string;
  logger?: Logger;
  profile?: Profile;
  algorithm?: AlgorithmOptions;
  queue?: QueueOptions;
  /** Bindings in flight at once (default 100). */
  maxInFlightBindings?: number;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly algorithm: SchedulingAlgorithm;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly name: string;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private slotWaiters: (() => void)[] = [];
  private bindings = new Set<Promise<void>>();
  /** Counters for benchmarks and logs. */
  readonly stats = { scheduled: 0, bound: 0, unschedulable: 0, bindErrors: 0 };

  constructor(private readonly opts: SchedulerOptions) {
    this.name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'scheduler' });
    this.queue = new SchedulingQueue(opts.queue);
    this.algorithm = new SchedulingAlgorithm(this.cache, opts.profile ?? defaultProfile(), opts.algorithm);
    this.recorder = new EventRecorder({ client: opts.client, component: this.name, logger: this.log });
    this.maxInFlight = opts.maxInFlightBindings ?? 100;
    this.registerHandlers();
  }

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.name;
  }

  private pending(pod: Pod): boolean {
    return !pod.spec.nodeName && !isTerminal(pod) && !pod.metadata.deletionTimestamp && this.responsibleFor(pod) && !(pod.spec.schedulingGates?.length);
  }

  private registerHandlers(): void {
    const nodeInf = this.opts.informers.informerFor(nodesDef);
    nodeInf.addEventHandler({
      onAdd: (node) => {
        this.cache.addOrUpdateNode(node);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (old, node) => {
        this.cache.addOrUpdateNode(node);
        if (schedulingPropertiesChanged(old, node)) this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (obj) => this.cache.removeNode(deletedObject(obj).metadata.name!),
    });
    const podInf = this.opts.informers.informerFor(podsDef);
    podInf.addEventHandler({
      onAdd: (pod) => this.onPod(pod),
      onUpdate: (_old, pod) => this.onPod(pod),
      onDelete: (obj) => {
        const pod = deletedObject(obj);
        const key = podKey(pod);
        this.queue.delete(key);
        if (this.cache.nodeOf(key) !== undefined) {
          this.cache.removePod(key);
          this.queue.moveAllToActiveOrBackoff();
        }
      },
    });
  }

  private onPod(pod: Pod): void {
    const key = podKey(pod);
    if (pod.spec.nodeName) {
      this.queue.delete(key);
      if (isTerminal(pod)) {
        // A finished pod frees its node's resources.
        if (this.cache.nodeOf(key) !== undefined) {
          this.cache.removePod(key);
          this.queue.moveAllToActiveOrBackoff();
        }
      } else {
        const known = this.cache.nodeOf(key) !== undefined && !this.cache.isAssumed(key);
        this.cache.addOrUpdatePod(newPodInfo(pod), pod.spec.nodeName);
        // A newly placed pod can satisfy a waiting pod's required pod affinity.
        if (!known) this.queue.moveToActiveOrBackoffIf((q) => q.info.requiredAffinity.length > 0);
      }
      return;
    }
    if (this.cache.isAssumed(key)) return; // binding in flight
    if (this.pending(pod)) this.queue.add(pod);
    else this.queue.delete(key);
  }

  /** Schedules until `signal` aborts; informers must be started (and synced) by the caller. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.close();
    signal.addEventListener('abort', stop, { once: true });
    this.log.info({ scheduler: this.name }, 'scheduling');
    try {
      for (;;) {
        const q = await this.queue.pop();
        if (!q || signal.aborted) break;
        this.scheduleOne(q);
        if (this.inFlight >= this.maxInFlight) await new Promise<void>((r) => this.slotWaiters.push(r));
        // Let informer events and binding answers in between pods.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await Promise.allSettled([...this.bindings]);
      await this.recorder.close();
    }
  }

  /** One attempt for one pod (synchronous up to the binding, which runs in the background). */
  scheduleOne(q: QueuedPod): void {
    const info = q.info;
    if (this.cache.nodeOf(info.key) !== undefined) {
      this.queue.done(info.key);
      return;
    }
    let nodeName: string;
    try {
      nodeName = this.algorithm.schedule(info).nodeName;
    } catch (err) {
      this.handleFailure(q, err);
      return;
    }
    this.cache.assumePod(info, nodeName);
    this.queue.done(info.key);
    this.stats.scheduled++;
    this.inFlight++;
    const p = this.bind(q, nodeName).finally(() => {
      this.bindings.delete(p);
      this.inFlight--;
      this.slotWaiters.shift()?.();
    });
    this.bindings.add(p);
  }

  private async bind(q: QueuedPod, nodeName: string): Promise<void> {
    const pod = q.info.pod;
    try {
      await this.opts.client.bind(pod.metadata.namespace!, pod.metadata.name!, nodeName);
      this.stats.bound++;
      this.log.debug({ pod: q.info.key, node: nodeName }, 'bound');
    } catch (err) {
      this.stats.bindErrors++;
      this.cache.forgetPod(q.info.key);
      this.queue.moveAllToActiveOrBackoff(); // the node's share is free again
      if (isApiError(err, 'NotFound')) return; // deleted meanwhile
      if (isApiError(err, 'Conflict') && String((err as Error).message).includes('already assigned')) return;
      this.log.warn({ pod: q.info.key, node: nodeName, err: String(err) }, 'binding failed; retrying after backoff');
      this.recorder.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${(err as Error).message}`);
      this.readd(q, false);
    }
  }

  private readd(q: QueuedPod, unschedulable: boolean): void {
    this.queue.requeueFailed(q, unschedulable);
  }

  private handleFailure(q: QueuedPod, err: unknown): void {
    const pod = q.info.pod;
    const fit = err instanceof FitError;
    const message = fit ? err.message : `running the scheduling algorithm failed: ${String(err)}`;
    if (fit) this.stats.unschedulable++;
    else this.log.error({ pod: q.info.key, err }, 'scheduling failed');
    this.queue.requeueFailed(q, fit);
    this.log.debug({ pod: q.info.key, message }, 'unschedulable');
    this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const reason = fit ? UNSCHEDULABLE : 'SchedulerError';
    if (!hasUnschedulableCondition(pod, reason, message)) {
      setUnschedulableCondition(this.opts.client, pod, reason, message).catch((e: unknown) => {
        if (!isApiError(e, 'NotFound')) this.log.warn({ pod: q.info.key, err: String(e) }, 'updating pod condition failed');
      });
    }
  }
}

/** Whether a node change can make a pending pod fit (kube-scheduler's nodeSchedulingPropertiesChange). */
export function schedulingPropertiesChanged(old: Node, cur: Node): boolean {
  if (old.spec.unschedulable !== cur.spec.unschedulable) return true;
  if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {})) return true;
  if (JSON.stringify(old.spec.taints ?? []) !== JSON.stringify(cur.spec.taints ?? [])) return true;
  if (JSON.stringify(old.status?.allocatable ?? {}) !== JSON.stringify(cur.status?.allocatable ?? {})) return true;
  return false;
}
