/**
 * The pod status the kubelet reports, computed from what the runtime says: container
 * states (with lastState from the previous attempt), phase, conditions and IPs. Pure:
 * the sync loop gathers the CRI view, this turns it into a v1 PodStatus.
 */
import type { Container } from '../api/types/container.js';
import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from '../api/types/pod.js';
import { podQOSClass } from '../api/types/qos.js';
import type { ContainerStatus as CriContainerStatus } from '../runtime/cri/types.js';

export interface ContainerView {
  /** The newest CRI container of this name, and the one before it. */
  latest?: CriContainerStatus;
  previous?: CriContainerStatus;
  /** Why the container is not running when the kubelet holds it back (CrashLoopBackOff, ErrImagePull, ...). */
  waiting?: { reason: string; message?: string };
  ready?: boolean;
  started?: boolean;
}

export interface PodView {
  pod: Pod;
  runtimeName: string;
  hostIP: string;
  sandboxReady: boolean;
  podIPs: string[];
  init: Map<string, ContainerView>;
  app: Map<string, ContainerView>;
  now: string;
}

/** Nanoseconds (number or decimal string) → RFC 3339 seconds, as Kubernetes' metav1.Time. */
export function nanosToTime(ns: number | string): string | undefined {
  const n = typeof ns === 'string' ? BigInt(ns || '0') : BigInt(Math.trunc(ns));
  if (n <= 0n) return undefined;
  return new Date(Number(n / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function terminatedState(s: CriContainerStatus, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: s.exit_code,
      reason: s.reason || (s.exit_code === 0 ? 'Completed' : 'Error'),
      ...(s.message ? { message: s.message } : {}),
      startedAt: nanosToTime(s.started_at),
      finishedAt: nanosToTime(s.finished_at),
      containerID: `${runtimeName}://${s.id}`,
    },
  };
}

function stateOf(s: CriContainerStatus, runtimeName: string): ContainerState {
  switch (s.state) {
    case 'CONTAINER_RUNNING':
      return { running: { startedAt: nanosToTime(s.started_at) } };
    case 'CONTAINER_EXITED':
      return terminatedState(s, runtimeName);
    case 'CONTAINER_CREATED':
      return { waiting: { reason: 'ContainerCreating' } };
    default:
      return { waiting: { reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } };
  }
}

export function containerStatus(c: Container, v: ContainerView, runtimeName: string, defaultWaiting: string): ContainerStatus {
  const latest = v.latest;
  let state: ContainerState = latest ? stateOf(latest, runtimeName) : { waiting: { reason: defaultWaiting } };
  let lastState: ContainerState = {};
  if (v.waiting) {
    // Held back: the latest run is history now, shown as lastState.
    if (latest && latest.state === 'CONTAINER_EXITED') lastState = terminatedState(latest, runtimeName);
    state = { waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) } };
  } else if (v.previous && v.previous.state === 'CONTAINER_EXITED') {
    lastState = terminatedState(v.previous, runtimeName);
  }
  const running = state.running !== undefined;
  const restartCount = latest ? Number(latest.metadata?.attempt ?? 0) : 0;
  return {
    name: c.name,
    state,
    lastState,
    ready: running && (v.ready ?? true),
    restartCount,
    image: c.image ?? '',
    imageID: latest?.image_ref ?? '',
    ...(latest ? { containerID: `${runtimeName}://${latest.id}` } : {}),
    started: running && (v.started ?? true),
  };
}

/** Kubernetes' getPhase over the app containers' statuses. */
export function podPhase(pod: Pod, statuses: ContainerStatus[], initDone: boolean, initFailed: boolean): NonNullable<PodStatus['phase']> {
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (initFailed && policy === 'Never') return 'Failed';
  if (!initDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        stopped++;
        if (s.lastState.terminated.exitCode === 0) succeeded++;
      } else waiting++;
    }
  }
  const n = statuses.length;
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === n && n > 0) {
    if (policy === 'Always') return 'Running';
    if (succeeded === n) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function cond(type: string, ok: boolean, now: string, prev: PodCondition[] | undefined, reason?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const old = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === status ? (old.lastTransitionTime ?? now) : now,
    ...(!ok && reason ? { reason } : {}),
  };
}

export function buildPodStatus(v: PodView): PodStatus {
  const { pod, runtimeName } = v;
  const prev = pod.status;
  const initSpecs = pod.spec.initContainers ?? [];
  const initStatuses = initSpecs.map((c) => containerStatus(c, v.init.get(c.name) ?? {}, runtimeName, 'PodInitializing'));
  const initDone = initStatuses.every((s) => s.state?.terminated?.exitCode === 0);
  const initFailed = initStatuses.some((s) => (s.state?.terminated && s.state.terminated.exitCode !== 0) || (s.lastState?.terminated && s.lastState.terminated.exitCode !== 0 && s.state?.waiting));
  const appStatuses = pod.spec.containers.map((c) =>
    containerStatus(c, v.app.get(c.name) ?? {}, runtimeName, initDone ? 'ContainerCreating' : 'PodInitializing'));
  const phase = podPhase(pod, appStatuses, initDone, initFailed);
  const containersReady = appStatuses.length > 0 && appStatuses.every((s) => s.ready);
  const prevConds = prev?.conditions;
  const scheduled = prevConds?.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', true, v.now, undefined);
  const notReadyReason = phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady';
  const conditions: PodCondition[] = [
    cond('PodReadyToStartContainers', v.sandboxReady, v.now, prevConds),
    cond('Initialized', initDone || phase === 'Succeeded', v.now, prevConds, phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotInitialized'),
    cond('Ready', containersReady && phase === 'Running', v.now, prevConds, notReadyReason),
    cond('ContainersReady', containersReady, v.now, prevConds, notReadyReason),
    scheduled,
  ];
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: v.hostIP,
    hostIPs: [{ ip: v.hostIP }],
    startTime: prev?.startTime ?? v.now,
    containerStatuses: appStatuses,
    qosClass: podQOSClass(pod.spec),
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (v.podIPs.length) {
    status.podIP = v.podIPs[0];
    status.podIPs = v.podIPs.map((ip) => ({ ip }));
  } else if (prev?.podIP && !v.sandboxReady) {
    // The IP stays reported while the pod winds down, as the kubelet does.
    status.podIP = prev.podIP;
    status.podIPs = prev.podIPs;
  }
  return status;
}
