import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types/pod.js';
import type { ContainerStatus as CriStatus } from '../runtime/cri/types.js';
import { buildPodStatus, nanosToTime, podPhase, type ContainerView } from './pod-status.js';

function pod(extra: Partial<Pod['spec']> = {}, status?: Pod['status']): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'a', image: 'busybox' }], restartPolicy: 'Always', ...extra },
    ...(status ? { status } : {}),
  } as Pod;
}

function cri(id: string, state: CriStatus['state'], attempt: number, exit = 0): CriStatus {
  return {
    id, state, exit_code: exit, metadata: { name: 'a', attempt },
    created_at: '1700000000000000000', started_at: '1700000001000000000', finished_at: state === 'CONTAINER_EXITED' ? '1700000002000000000' : 0,
    image: null, image_ref: 'sha256:abc', reason: '', message: '', labels: {}, annotations: {}, mounts: [], log_path: '', resources: null, image_id: '',
  };
}

function view(p: Pod, app: Record<string, ContainerView>, init: Record<string, ContainerView> = {}, ips = ['10.0.0.5']) {
  return buildPodStatus({
    pod: p, runtimeName: 'tkube', hostIP: '192.168.1.2', sandboxReady: true, podIPs: ips,
    app: new Map(Object.entries(app)), init: new Map(Object.entries(init)), now: '2026-01-01T00:00:00Z',
  });
}

describe('pod status', () => {
  it('converts CRI nanosecond timestamps', () => {
    expect(nanosToTime('1700000001000000000')).toBe('2023-11-14T22:13:21Z');
    expect(nanosToTime(0)).toBeUndefined();
  });

  it('reports a running pod Ready with IPs, container IDs and QoS', () => {
    const s = view(pod(), { a: { latest: cri('c1', 'CONTAINER_RUNNING', 0) } });
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.0.0.5');
    expect(s.podIPs).toEqual([{ ip: '10.0.0.5' }]);
    expect(s.hostIPs).toEqual([{ ip: '192.168.1.2' }]);
    expect(s.qosClass).toBe('BestEffort');
    expect(s.containerStatuses?.[0]).toMatchObject({ name: 'a', ready: true, started: true, restartCount: 0, containerID: 'tkube://c1', imageID: 'sha256:abc' });
    const types = Object.fromEntries(s.conditions!.map((c) => [c.type, c.status]));
    expect(types).toEqual({ PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
  });

  it('shows CrashLoopBackOff with the last termination and the attempt as restartCount', () => {
    const s = view(pod(), { a: { latest: cri('c2', 'CONTAINER_EXITED', 3, 1), previous: cri('c1', 'CONTAINER_EXITED', 2, 1), waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } } });
    const cs = s.containerStatuses![0]!;
    expect(cs.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } });
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error', containerID: 'tkube://c2' });
    expect(cs.restartCount).toBe(3);
    expect(cs.ready).toBe(false);
    expect(s.phase).toBe('Running');
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
  });

  it('keeps init containers pending and the app waiting in PodInitializing', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'busybox' }] as Pod['spec']['containers'] });
    const s = view(p, {}, { i1: { latest: cri('i', 'CONTAINER_RUNNING', 0) } });
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
    expect(s.conditions!.find((c) => c.type === 'Initialized')?.status).toBe('False');
  });

  it('computes Succeeded and Failed per restart policy', () => {
    const done = (code: number) => ({ latest: cri('c', 'CONTAINER_EXITED', 0, code) });
    expect(view(pod({ restartPolicy: 'Never' }), { a: done(0) }).phase).toBe('Succeeded');
    expect(view(pod({ restartPolicy: 'Never' }), { a: done(2) }).phase).toBe('Failed');
    expect(view(pod({ restartPolicy: 'OnFailure' }), { a: done(0) }).phase).toBe('Succeeded');
    expect(view(pod({ restartPolicy: 'Always' }), { a: done(0) }).phase).toBe('Running');
    expect(podPhase(pod(), [], true, false)).toBe('Pending');
  });

  it('keeps lastTransitionTime of unchanged conditions and the first startTime', () => {
    const prev = view(pod(), { a: { latest: cri('c1', 'CONTAINER_RUNNING', 0) } });
    const earlier = { ...prev, startTime: '2025-01-01T00:00:00Z', conditions: prev.conditions!.map((c) => ({ ...c, lastTransitionTime: '2025-01-01T00:00:00Z' })) };
    const s = view(pod({}, earlier), { a: { latest: cri('c1', 'CONTAINER_RUNNING', 0), ready: false } });
    expect(s.startTime).toBe('2025-01-01T00:00:00Z');
    expect(s.conditions!.find((c) => c.type === 'PodReadyToStartContainers')?.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    expect(s.conditions!.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});
