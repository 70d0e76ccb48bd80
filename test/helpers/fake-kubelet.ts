/**
 * The kubelet, played by a test helper (no containers): it watches pods and, like a
 * kubelet would,
 * - binds unscheduled pods to a fake node (there is no scheduler in these tests);
 * - after `readyDelayMs`, reports them Running and Ready through the status subresource
 *   (conditions, containerStatuses, podIP, startTime) — unless told to keep a pod not ready;
 * - after `terminateDelayMs`, deletes pods that have a deletionTimestamp with grace 0,
 *   as a kubelet does once their containers stopped.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeClient, ResourceClient } from '../../api/client/kube-client.js';
import { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import { pods as podsDef } from '../../api/registry.js';
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../../api/types/pod.js';

export interface FakeKubeletOptions {
  client: KubeClient;
  /** Only pods of this namespace (default: all). */
  namespace?: string;
  /** Only pods matching this label selector (default: all). */
  labelSelector?: string;
  /** The node unscheduled pods are bound to (default "tkube-fake-node"). */
  nodeName?: string;
  /** Bind pods without spec.nodeName (default true). */
  bind?: boolean;
  /** Delay between seeing a pod and reporting it Running/Ready (default 0). */
  readyDelayMs?: number;
  /** Delay between seeing a deletionTimestamp and deleting the pod for good (default 0). */
  terminateDelayMs?: number;
  /** Pods for which this returns true are reported Running but not Ready. */
  keepNotReady?: (pod: Pod) => boolean;
  logger?: Logger;
}

/** meta/v1 Time: RFC 3339 to the second. */
function metaTime(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class FakeKubelet {
  private readonly informer: SharedInformer<Pod>;
  private readonly api: (ns: string) => ResourceClient<Pod>;
  private readonly log: Logger;
  private readonly timers = new Set<NodeJS.Timeout>();
  // Pods (by uid) already handled, so repeated events do not repeat the work.
  private readonly started = new Set<string>();
  private readonly terminating = new Set<string>();
  private readonly notReady = new Set<string>();
  private ipCounter = 0;
  private stopped = false;

  constructor(private readonly opts: FakeKubeletOptions) {
    this.api = (ns) => opts.client.resource(podsDef, ns);
    this.informer = new SharedInformer<Pod>(opts.client.resource(podsDef, opts.namespace), { labelSelector: opts.labelSelector });
    this.log = opts.logger ?? pino({ level: 'silent' });
  }

  get nodeName(): string {
    return this.opts.nodeName ?? 'tkube-fake-node';
  }

  /** Starts watching; resolves once the first list is in. */
  async start(): Promise<void> {
    this.informer.addEventHandler({
      onAdd: (p) => this.handle(p),
      onUpdate: (_o, p) => this.handle(p),
    });
    this.informer.run();
    await this.informer.waitForSync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.informer.stop();
  }

  /** Reports the pod not ready from now on (Ready and ContainersReady False). */
  async setNotReady(namespace: string, name: string): Promise<void> {
    const pod = await this.api(namespace).get(name);
    this.notReady.add(pod.metadata.uid ?? '');
    await this.writeStatus(pod, false);
  }

  /** Reports the pod ready again. */
  async setReady(namespace: string, name: string): Promise<void> {
    const pod = await this.api(namespace).get(name);
    this.notReady.delete(pod.metadata.uid ?? '');
    await this.writeStatus(pod, true);
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      fn().catch((err: unknown) => {
        if (!isApiError(err, 'NotFound')) this.log.warn({ err: String(err) }, 'fake kubelet action failed');
      });
    }, ms);
    this.timers.add(t);
  }

  private handle(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp) {
      if (this.terminating.has(uid)) return;
      this.terminating.add(uid);
      this.later(this.opts.terminateDelayMs ?? 0, async () => {
        await this.api(ns).delete(name, { gracePeriodSeconds: 0, preconditions: { uid } });
      });
      return;
    }
    if (this.started.has(uid)) return;
    this.started.add(uid);
    this.later(this.opts.readyDelayMs ?? 0, async () => {
      let current = this.informer.store.getByName(ns, name) ?? pod;
      if (current.metadata.uid !== uid || current.metadata.deletionTimestamp) return;
      if (!current.spec.nodeName && (this.opts.bind ?? true)) {
        await this.opts.client.bind(ns, name, this.nodeName);
        current = { ...current, spec: { ...current.spec, nodeName: this.nodeName } };
      }
      const ready = !this.notReady.has(uid) && !(this.opts.keepNotReady?.(current) ?? false);
      await this.writeStatus(current, ready);
    });
  }

  private async writeStatus(pod: Pod, ready: boolean): Promise<void> {
    const now = metaTime();
    const prev = pod.status;
    const cond = (type: string, status: boolean): PodCondition => {
      const value = status ? 'True' : 'False';
      const old = prev?.conditions?.find((c) => c.type === type);
      return { type, status: value, lastProbeTime: null, lastTransitionTime: old?.status === value ? old.lastTransitionTime ?? now : now };
    };
    const containerStatuses: ContainerStatus[] = pod.spec.containers.map((c) => ({
      name: c.name,
      ready,
      started: true,
      restartCount: 0,
      image: c.image ?? '',
      imageID: '',
      containerID: `fake://${pod.metadata.uid ?? ''}-${c.name}`,
      state: { running: { startedAt: prev?.startTime ?? now } },
    }));
    const n = ++this.ipCounter;
    const status: PodStatus = {
      ...prev,
      phase: 'Running',
      conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
      containerStatuses,
      hostIP: prev?.hostIP ?? '10.255.0.1',
      podIP: prev?.podIP ?? `10.244.${(n >> 8) & 255}.${n & 255}`,
      startTime: prev?.startTime ?? now,
    };
    status.podIPs = [{ ip: status.podIP ?? '' }];
    status.hostIPs = [{ ip: status.hostIP ?? '' }];
    await this.api(pod.metadata.namespace ?? 'default').patchStatus(pod.metadata.name ?? '', 'merge', { metadata: { uid: pod.metadata.uid }, status });
  }
}
