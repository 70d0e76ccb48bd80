/**
 * One pass of the kubelet's sync for one pod, level-triggered: read what the runtime
 * has for the pod (sandboxes and containers by the pod uid label), make it match the
 * spec (sandbox, image pulls, init containers in order, app containers with restart
 * policy and back-off), then report the status if it changed. Termination (grace
 * period, preStop) and cleanup of pods gone from the node live here too.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import type { EventRecorder } from '../api/events/recorder.js';
import { isApiError } from '../api/meta/errors.js';
import { pods as podsDef } from '../api/registry.js';
import { defaultImagePullPolicy, type Container } from '../api/types/container.js';
import type { Pod, PodStatus } from '../api/types/pod.js';
import type { ContainerStatus as CriContainerStatus, PodSandbox, PodSandboxConfig } from '../runtime/cri/types.js';
import { CrashBackoff } from './crash-backoff.js';
import { buildContainerConfig, containerHash } from './container-config.js';
import { isNotFound, type CriClient } from './cri-client.js';
import { buildEnv, EnvConfigError, type NodeAllocatable, type ObjectSource } from './env.js';
import { CONTAINER_HASH, CONTAINER_NAME, POD_UID } from './labels.js';
import { runPostStart, runPreStop } from './lifecycle-hooks.js';
import { buildPodStatus, type ContainerView } from './pod-status.js';
import { buildSandboxConfig, type SandboxConfigOptions } from './sandbox-config.js';
import { canonicalJson } from './canonical-json.js';
import type { VolumeManager } from './volumes.js';

export interface PodSyncerOptions {
  client: KubeClient;
  cri: CriClient;
  nodeName: string;
  nodeIP: string;
  runtimeName: string;
  sandbox: SandboxConfigOptions;
  objects: ObjectSource;
  volumes: VolumeManager;
  allocatable: NodeAllocatable;
  recorder?: EventRecorder;
  crashBackoff?: CrashBackoff;
  imageBackoff?: CrashBackoff;
  /** Probe results (readiness/startup), by pod uid + container name; absent = no probe. */
  readiness?: (uid: string, name: string, containerId: string) => { ready: boolean; started: boolean } | undefined;
  logger: Logger;
}

export interface SyncResult {
  /** Sync again after this long (back-off expiry, waiting for a container). */
  requeueAfterMs?: number;
  /** The pod is gone from the API (deleted by us). */
  deleted?: boolean;
}

interface PodRuntime {
  sandboxes: PodSandbox[];
  ready?: PodSandbox;
  /** Per container name: statuses newest attempt first. */
  containers: Map<string, CriContainerStatus[]>;
}

function podRef(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function nanos(n: number | string): number {
  return Number(BigInt(typeof n === 'string' ? n || '0' : Math.trunc(n)) / 1_000_000n);
}

export class PodSyncer {
  readonly crashBackoff: CrashBackoff;
  readonly imageBackoff: CrashBackoff;
  private readonly lastStatus = new Map<string, string>();
  private readonly imageErrors = new Map<string, string>();
  /** The sandbox IP last seen per pod uid (for probes and hooks). */
  readonly podIPs = new Map<string, string>();
  /** Pods we reported Succeeded/Failed: never get a new sandbox (the informer may lag our write). */
  private readonly finishedPods = new Set<string>();

  constructor(private readonly o: PodSyncerOptions) {
    this.crashBackoff = o.crashBackoff ?? new CrashBackoff();
    this.imageBackoff = o.imageBackoff ?? new CrashBackoff();
  }

  /** What CRI has for a pod uid. */
  async runtimeState(uid: string): Promise<PodRuntime> {
    const { cri } = this.o;
    const { items } = await cri.runtime('ListPodSandbox', { filter: { id: '', state: null, label_selector: { [POD_UID]: uid } } });
    const sandboxes = [...items].sort((a, b) => Number(BigInt(b.created_at || 0) - BigInt(a.created_at || 0)));
    const ready = sandboxes.find((s) => s.state === 'SANDBOX_READY');
    const { containers } = await cri.runtime('ListContainers', { filter: { id: '', state: null, pod_sandbox_id: '', label_selector: { [POD_UID]: uid } } });
    const byName = new Map<string, CriContainerStatus[]>();
    const statuses = await Promise.all(
      containers.map((c) => cri.runtime('ContainerStatus', { container_id: c.id, verbose: false }).then((r) => r.status).catch(() => null)),
    );
    for (const s of statuses) {
      if (!s) continue;
      const name = s.labels[CONTAINER_NAME] ?? s.metadata?.name ?? '';
      const list = byName.get(name) ?? [];
      list.push(s);
      byName.set(name, list);
    }
    for (const list of byName.values()) list.sort((a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0) || nanos(b.created_at) - nanos(a.created_at));
    return { sandboxes, ready, containers: byName };
  }

  async sync(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata.uid!;
    if (pod.metadata.deletionTimestamp) return this.terminate(pod);
    let rt = await this.runtimeState(uid);
    const waiting = new Map<string, { reason: string; message?: string }>();
    let requeueAfterMs: number | undefined;
    const finished = this.finishedPods.has(uid) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

    let sandboxConfig: PodSandboxConfig | undefined;
    if (!rt.ready && !finished) {
      const attempt = rt.sandboxes.length ? Math.max(...rt.sandboxes.map((s) => s.metadata?.attempt ?? 0)) + 1 : 0;
      // A dead sandbox takes its containers with it: stop what is left before starting over.
      await this.stopContainers(rt, 0);
      for (const s of rt.sandboxes) await this.removeSandbox(s.id);
      sandboxConfig = buildSandboxConfig(pod, attempt, this.o.sandbox);
      try {
        await this.o.cri.runtime('RunPodSandbox', { config: sandboxConfig, runtime_handler: '' });
      } catch (err) {
        this.o.recorder?.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
        throw err;
      }
      rt = await this.runtimeState(uid);
    }
    let podIPs: string[] = [];
    if (rt.ready) {
      sandboxConfig ??= buildSandboxConfig(pod, rt.ready.metadata?.attempt ?? 0, this.o.sandbox);
      const st = await this.o.cri.runtime('PodSandboxStatus', { pod_sandbox_id: rt.ready.id, verbose: false });
      const net = st.status?.network;
      if (net?.ip) {
        podIPs = [net.ip, ...net.additional_ips.map((a) => a.ip)];
        this.podIPs.set(uid, net.ip);
      }
    }

    if (rt.ready && sandboxConfig && !finished) {
      const sandboxId = rt.ready.id;
      const initDone = await this.syncInitContainers(pod, rt, sandboxId, sandboxConfig, podIPs, waiting);
      if (initDone.requeueAfterMs !== undefined) requeueAfterMs = initDone.requeueAfterMs;
      if (initDone.done) {
        for (const c of pod.spec.containers) {
          const r = await this.syncAppContainer(pod, c, rt.containers.get(c.name) ?? [], sandboxId, sandboxConfig, podIPs, waiting);
          if (r !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? r, r);
        }
      }
      rt = await this.runtimeState(uid);
    }
    const phase = await this.reportStatus(pod, rt, podIPs, waiting);
    if (phase === 'Succeeded' || phase === 'Failed') {
      // A finished pod keeps its containers (for logs) but not its sandbox and IP.
      this.finishedPods.add(uid);
      await this.stopContainers(rt, 0);
      for (const s of rt.sandboxes) {
        if (s.state === 'SANDBOX_READY') await this.o.cri.runtime('StopPodSandbox', { pod_sandbox_id: s.id }).catch(() => undefined);
      }
    }
    return { requeueAfterMs };
  }

  /** Runs init containers one at a time; done when all exited 0. */
  private async syncInitContainers(
    pod: Pod, rt: PodRuntime, sandboxId: string, sbConfig: PodSandboxConfig, podIPs: string[],
    waiting: Map<string, { reason: string; message?: string }>,
  ): Promise<{ done: boolean; requeueAfterMs?: number }> {
    for (const c of pod.spec.initContainers ?? []) {
      const list = rt.containers.get(c.name) ?? [];
      const latest = list[0];
      if (latest?.state === 'CONTAINER_EXITED' && latest.exit_code === 0) continue;
      if (latest?.state === 'CONTAINER_RUNNING') return { done: false };
      if (latest?.state === 'CONTAINER_EXITED' && pod.spec.restartPolicy === 'Never') return { done: false };
      const r = await this.startWithBackoff(pod, c, 'init', list, sandboxId, sbConfig, podIPs, waiting);
      return { done: false, requeueAfterMs: r };
    }
    return { done: true };
  }

  private async syncAppContainer(
    pod: Pod, c: Container, list: CriContainerStatus[], sandboxId: string, sbConfig: PodSandboxConfig, podIPs: string[],
    waiting: Map<string, { reason: string; message?: string }>,
  ): Promise<number | undefined> {
    const latest = list[0];
    if (latest?.state === 'CONTAINER_RUNNING') {
      const hash = latest.annotations[CONTAINER_HASH];
      if (!hash || hash === containerHash(c)) return undefined;
      // The spec changed (an image update): replace the container, as Kubernetes does.
      this.o.recorder?.event(pod, 'Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`);
      await this.o.cri.runtime('StopContainer', { container_id: latest.id, timeout: pod.spec.terminationGracePeriodSeconds ?? 30 }, { timeoutMs: ((pod.spec.terminationGracePeriodSeconds ?? 30) + 30) * 1000 });
      return this.startContainer(pod, c, 'app', (latest.metadata?.attempt ?? 0) + 1, list, sandboxId, sbConfig, podIPs, waiting);
    }
    if (latest?.state === 'CONTAINER_EXITED') {
      const policy = pod.spec.restartPolicy ?? 'Always';
      if (policy === 'Never' || (policy === 'OnFailure' && latest.exit_code === 0)) return undefined;
    }
    return this.startWithBackoff(pod, c, 'app', list, sandboxId, sbConfig, podIPs, waiting);
  }

  /** Starts the next attempt of a container unless it is in crash back-off; returns when to look again. */
  private async startWithBackoff(
    pod: Pod, c: Container, kind: 'init' | 'app', list: CriContainerStatus[], sandboxId: string, sbConfig: PodSandboxConfig,
    podIPs: string[], waiting: Map<string, { reason: string; message?: string }>,
  ): Promise<number | undefined> {
    const latest = list[0];
    const key = `${pod.metadata.uid}/${c.name}`;
    if (latest?.state === 'CONTAINER_EXITED') {
      const remaining = this.crashBackoff.remainingMs(key, nanos(latest.finished_at) || Date.now());
      if (remaining > 0) {
        const delay = Math.round(this.crashBackoff.currentMs(key) / 1000);
        waiting.set(c.name, {
          reason: 'CrashLoopBackOff',
          message: `back-off ${delay < 60 ? `${delay}s` : `${Math.floor(delay / 60)}m${delay % 60}s`} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        });
        return remaining;
      }
      this.crashBackoff.next(key);
    }
    const attempt = latest ? (latest.metadata?.attempt ?? 0) + 1 : 0;
    return this.startContainer(pod, c, kind, attempt, list, sandboxId, sbConfig, podIPs, waiting);
  }

  private async ensureImage(pod: Pod, c: Container, sbConfig: PodSandboxConfig, waiting: Map<string, { reason: string; message?: string }>): Promise<string | undefined> {
    const image = c.image ?? '';
    const policy = c.imagePullPolicy ?? defaultImagePullPolicy(image);
    const key = `${pod.metadata.uid}/${c.name}/${image}`;
    const present = await this.o.cri.image('ImageStatus', { image: { image, annotations: {} }, verbose: false }).then((r) => r.image).catch(() => null);
    if (present && policy !== 'Always') return present.id;
    if (policy === 'Never') {
      if (present) return present.id;
      waiting.set(c.name, { reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` });
      return undefined;
    }
    const remaining = this.imageBackoff.remainingMs(key, Date.now());
    if (remaining > 0 && this.imageErrors.has(key)) {
      waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ${this.imageErrors.get(key)}` });
      return undefined;
    }
    try {
      this.o.recorder?.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
      const t0 = Date.now();
      const r = await this.o.cri.image('PullImage', { image: { image, annotations: {} }, auth: null, sandbox_config: sbConfig });
      this.imageErrors.delete(key);
      this.o.recorder?.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${Date.now() - t0}ms`);
      return r.image_ref;
    } catch (err) {
      const msg = (err as { details?: string }).details ?? (err as Error).message;
      this.imageErrors.set(key, msg);
      this.imageBackoff.next(key);
      this.o.recorder?.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      waiting.set(c.name, { reason: 'ErrImagePull', message: msg });
      return undefined;
    }
  }

  private async startContainer(
    pod: Pod, c: Container, kind: 'init' | 'app', attempt: number, old: CriContainerStatus[], sandboxId: string,
    sbConfig: PodSandboxConfig, podIPs: string[], waiting: Map<string, { reason: string; message?: string }>,
  ): Promise<number | undefined> {
    const imageRef = await this.ensureImage(pod, c, sbConfig, waiting);
    if (!imageRef) return this.imageBackoff.currentMs(`${pod.metadata.uid}/${c.name}/${c.image ?? ''}`) || 10_000;
    let env;
    let mounts;
    try {
      env = await buildEnv(pod, c, this.o.objects, { podIP: podIPs[0], podIPs, hostIP: this.o.nodeIP, nodeName: this.o.nodeName }, this.o.allocatable);
      mounts = await this.o.volumes.mountsFor(pod, c);
    } catch (err) {
      if (!(err instanceof EnvConfigError)) throw err;
      waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
      this.o.recorder?.event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
      return 10_000;
    }
    const config = buildContainerConfig({ pod, container: c, kind, attempt, image: c.image ?? imageRef, env, mounts });
    let id: string;
    try {
      ({ container_id: id } = await this.o.cri.runtime('CreateContainer', { pod_sandbox_id: sandboxId, config, sandbox_config: sbConfig }));
      this.o.recorder?.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
      await this.o.cri.runtime('StartContainer', { container_id: id });
      this.o.recorder?.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
      const hook = await runPostStart(this.o.cri, c, id, podIPs);
      if (!hook.ok) {
        // As Kubernetes: a failed postStart hook kills the container; restartPolicy decides what next.
        this.o.recorder?.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${hook.message}`);
        await this.o.cri.runtime('StopContainer', { container_id: id, timeout: pod.spec.terminationGracePeriodSeconds ?? 30 }).catch(() => undefined);
      }
    } catch (err) {
      const msg = (err as { details?: string }).details ?? (err as Error).message;
      this.o.recorder?.event(pod, 'Warning', 'Failed', `Error: ${msg}`);
      waiting.set(c.name, { reason: 'CreateContainerError', message: msg });
      return 10_000;
    }
    // Keep the previous attempt (for lastState and logs --previous); older ones go.
    for (const s of old.slice(1)) await this.o.cri.runtime('RemoveContainer', { container_id: s.id }).catch(() => undefined);
    this.o.logger.info({ pod: podRef(pod), container: c.name, attempt, id }, 'container started');
    return undefined;
  }

  private async reportStatus(pod: Pod, rt: PodRuntime, podIPs: string[], waiting: Map<string, { reason: string; message?: string }>): Promise<PodStatus['phase']> {
    const uid = pod.metadata.uid!;
    const views = (specs: Container[]) => {
      const m = new Map<string, ContainerView>();
      for (const c of specs) {
        const list = rt.containers.get(c.name) ?? [];
        const latest = list[0];
        const probe = latest ? this.o.readiness?.(uid, c.name, latest.id) : undefined;
        m.set(c.name, { latest, previous: list[1], waiting: waiting.get(c.name), ready: probe?.ready, started: probe?.started });
      }
      return m;
    };
    const status = buildPodStatus({
      pod,
      runtimeName: this.o.runtimeName,
      hostIP: this.o.nodeIP,
      sandboxReady: rt.ready !== undefined,
      podIPs,
      init: views(pod.spec.initContainers ?? []),
      app: views(pod.spec.containers),
      now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    await this.writeStatus(pod, status);
    return status.phase;
  }

  /** PUT of the status subresource, only when it differs from what the pod (or our last write) shows. */
  async writeStatus(pod: Pod, status: PodStatus): Promise<void> {
    const uid = pod.metadata.uid!;
    const want = canonicalJson(status);
    if (want === canonicalJson(pod.status ?? {}) || this.lastStatus.get(uid) === `${pod.metadata.resourceVersion}|${want}`) return;
    const api = this.o.client.resource(podsDef, pod.metadata.namespace);
    let current = pod;
    for (let i = 0; i < 3; i++) {
      try {
        const updated = await api.updateStatus({ ...current, status });
        this.lastStatus.set(uid, `${updated.metadata.resourceVersion}|${want}`);
        return;
      } catch (err) {
        if (isApiError(err, 'NotFound')) return;
        if (!isApiError(err, 'Conflict')) throw err;
        current = await api.get(pod.metadata.name!);
        if (current.metadata.uid !== uid) return;
      }
    }
  }

  /** Graceful termination of a pod being deleted, then its removal from the API with grace 0. */
  private async terminate(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata.uid!;
    const rt = await this.runtimeState(uid);
    const deadline = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : Date.now();
    const graceS = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const timeout = Math.min(grace, graceS || grace);
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    await Promise.all(
      [...rt.containers.entries()].map(async ([name, list]) => {
        const running = list.filter((s) => s.state === 'CONTAINER_RUNNING' || s.state === 'CONTAINER_CREATED');
        const spec = all.find((c) => c.name === name);
        const t0 = Date.now();
        for (const s of running) {
          if (spec?.lifecycle?.preStop) {
            await runPreStop(this.o.cri, spec, s.id, podIPsOf(pod), timeout, this.o.logger).catch(() => undefined);
          }
          const left = Math.max(0, timeout - Math.floor((Date.now() - t0) / 1000));
          this.o.recorder?.event(pod, 'Normal', 'Killing', `Stopping container ${name}`);
          await this.o.cri.runtime('StopContainer', { container_id: s.id, timeout: left }, { timeoutMs: (left + 30) * 1000 }).catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
        }
      }),
    );
    for (const s of rt.sandboxes) await this.removeSandbox(s.id);
    await this.o.volumes.teardown(pod).catch((err: unknown) => this.o.logger.warn({ err, pod: podRef(pod) }, 'volume teardown failed'));
    await this.removeLogs(uid);
    this.forget(uid);
    try {
      await this.o.client.resource(podsDef, pod.metadata.namespace).delete(pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
    return { deleted: true };
  }

  /** A pod no longer bound here (deleted or moved): stop and remove everything it had. */
  async cleanup(uid: string, pod?: Pod): Promise<void> {
    const rt = await this.runtimeState(uid);
    await this.stopContainers(rt, 2);
    for (const s of rt.sandboxes) await this.removeSandbox(s.id);
    if (pod) await this.o.volumes.teardown(pod).catch(() => undefined);
    await this.removeLogs(uid);
    this.forget(uid);
  }

  /** The pod's log directory (<ns>_<name>_<uid>) goes with its containers, as the kubelet's container GC does. */
  private async removeLogs(uid: string): Promise<void> {
    const root = this.o.sandbox.podLogsRoot;
    for (const d of await fs.readdir(root).catch(() => [] as string[])) {
      if (d.endsWith(`_${uid}`)) await fs.rm(path.join(root, d), { recursive: true, force: true });
    }
  }

  private forget(uid: string): void {
    this.lastStatus.delete(uid);
    this.finishedPods.delete(uid);
    this.podIPs.delete(uid);
    this.crashBackoff.forgetPrefix(`${uid}/`);
    this.imageBackoff.forgetPrefix(`${uid}/`);
    for (const k of this.imageErrors.keys()) if (k.startsWith(`${uid}/`)) this.imageErrors.delete(k);
  }

  private async stopContainers(rt: PodRuntime, timeout: number): Promise<void> {
    for (const list of rt.containers.values()) {
      for (const s of list) {
        if (s.state !== 'CONTAINER_RUNNING' && s.state !== 'CONTAINER_CREATED') continue;
        await this.o.cri.runtime('StopContainer', { container_id: s.id, timeout }).catch(() => undefined);
      }
    }
  }

  private async removeSandbox(id: string): Promise<void> {
    await this.o.cri.runtime('StopPodSandbox', { pod_sandbox_id: id }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    await this.o.cri.runtime('RemovePodSandbox', { pod_sandbox_id: id }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}

function podIPsOf(pod: Pod): string[] {
  return (pod.status?.podIPs ?? []).map((p) => p.ip);
}
