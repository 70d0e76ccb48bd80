import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { podPrinter, podRow } from './pod-printer.js';

const now = new Date('2026-01-10T12:00:00Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-7d9f8b6c5-x2k4p', namespace: 'default', creationTimestamp: ago(300), ...meta },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
    status,
  };
}

const running = { running: { startedAt: ago(290) } };
const readyCondition = (s: 'True' | 'False') => [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: s },
  { type: 'ContainersReady', status: s },
  { type: 'PodScheduled', status: 'True' },
];

describe('pod table row', () => {
  it('prints a running pod with all wide columns', () => {
    const p = pod(
      { containers: [{ name: 'app' }, { name: 'metrics' }] },
      {
        phase: 'Running',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        conditions: readyCondition('True'),
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: running },
          { name: 'metrics', ready: true, restartCount: 0, state: running },
        ],
      },
    );
    expect(podRow(p, now)).toEqual({
      cells: ['web-7d9f8b6c5-x2k4p', '2/2', 'Running', '0', '5m', '10.244.1.5', 'node-a', '<none>', '<none>'],
    });
  });

  it('prints ContainerCreating while the sandbox is being set up', () => {
    const p = pod({}, { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
    expect(podRow(p, now).cells.slice(1, 4)).toEqual(['0/1', 'ContainerCreating', '0']);
    expect(podRow(p, now).cells[5]).toBe('<none>');
  });

  it('prints Init:1/2 while the second init container runs', () => {
    const p = pod(
      { initContainers: [{ name: 'migrate' }, { name: 'warm-cache' }] },
      {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'False' }],
        initContainerStatuses: [
          { name: 'migrate', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(60) } } },
          { name: 'warm-cache', ready: false, restartCount: 0, state: running },
        ],
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    );
    expect(podRow(p, now).cells.slice(1, 4)).toEqual(['0/1', 'Init:1/2', '0']);
  });

  it('prints Init:0/1 when the init container is waiting on PodInitializing', () => {
    const p = pod(
      { initContainers: [{ name: 'migrate' }] },
      { phase: 'Pending', initContainerStatuses: [{ name: 'migrate', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] },
    );
    expect(podRow(p, now).cells[2]).toBe('Init:0/1');
  });

  it('prints Init:CrashLoopBackOff with the init restarts and when the last one happened', () => {
    const p = pod(
      { initContainers: [{ name: 'migrate' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'migrate',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(125) } },
          },
        ],
        containerStatuses: [{ name: 'app', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    );
    expect(podRow(p, now).cells.slice(1, 4)).toEqual(['0/1', 'Init:CrashLoopBackOff', '3 (2m5s ago)']);
  });

  it('prints a failed init container by reason, signal or exit code', () => {
    const failed = (terminated: Record<string, unknown>) =>
      podRow(pod({ initContainers: [{ name: 'migrate' }] }, { phase: 'Failed', initContainerStatuses: [{ name: 'migrate', restartCount: 0, state: { terminated } }] }), now).cells[2];
    expect(failed({ exitCode: 1, reason: 'Error' })).toBe('Init:Error');
    expect(failed({ exitCode: 137, signal: 9 })).toBe('Init:Signal:9');
    expect(failed({ exitCode: 2 })).toBe('Init:ExitCode:2');
  });

  it('prints CrashLoopBackOff with restarts "(5m ago)"', () => {
    const p = pod(
      {},
      {
        phase: 'Running',
        conditions: readyCondition('False'),
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } },
          },
        ],
      },
    );
    expect(podRow(p, now).cells.slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '5 (5m ago)']);
  });

  it('prints image pull failures', () => {
    const p = pod({}, { phase: 'Pending', containerStatuses: [{ name: 'app', restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }] });
    expect(podRow(p, now).cells[2]).toBe('ErrImagePull');
  });

  it('prints terminated reasons: Completed, OOMKilled, Error, or the exit code', () => {
    const terminatedPod = (phase: string, terminated: Record<string, unknown>) =>
      pod({}, { phase, containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated } }] });
    const completed = podRow(terminatedPod('Succeeded', { exitCode: 0, reason: 'Completed' }), now);
    expect(completed.cells.slice(1, 3)).toEqual(['0/1', 'Completed']);
    expect(completed.conditions).toEqual([expect.objectContaining({ type: 'Completed', status: 'True', reason: 'Succeeded' })]);
    const oom = podRow(terminatedPod('Failed', { exitCode: 137, reason: 'OOMKilled' }), now);
    expect(oom.cells[2]).toBe('OOMKilled');
    expect(oom.conditions).toEqual([expect.objectContaining({ type: 'Completed', reason: 'Failed' })]);
    expect(podRow(terminatedPod('Failed', { exitCode: 1, reason: 'Error' }), now).cells[2]).toBe('Error');
    expect(podRow(terminatedPod('Failed', { exitCode: 3 }), now).cells[2]).toBe('ExitCode:3');
    expect(podRow(terminatedPod('Failed', { exitCode: 143, signal: 15 }), now).cells[2]).toBe('Signal:15');
  });

  it('prints Running or NotReady, not Completed, while another container still runs', () => {
    const status = (ready: 'True' | 'False') => ({
      phase: 'Running',
      conditions: readyCondition(ready),
      containerStatuses: [
        { name: 'app', ready: true, restartCount: 0, state: running },
        { name: 'setup', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    });
    const spec = { containers: [{ name: 'app' }, { name: 'setup' }] };
    expect(podRow(pod(spec, status('True')), now).cells.slice(1, 3)).toEqual(['1/2', 'Running']);
    expect(podRow(pod(spec, status('False')), now).cells.slice(1, 3)).toEqual(['1/2', 'NotReady']);
  });

  it('prints Terminating once deletion started, except for finished pods', () => {
    const status = { phase: 'Running', conditions: readyCondition('True'), containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] };
    const terminating = pod({}, status, { deletionTimestamp: ago(-30), deletionGracePeriodSeconds: 30 });
    expect(podRow(terminating, now).cells.slice(1, 3)).toEqual(['1/1', 'Terminating']);

    const done = pod(
      {},
      { phase: 'Succeeded', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
      { deletionTimestamp: ago(0) },
    );
    expect(podRow(done, now).cells[2]).toBe('Completed');
  });

  it('prints Unknown for a deleted pod on an unreachable node', () => {
    const p = pod({}, { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] }, { deletionTimestamp: ago(10) });
    expect(podRow(p, now).cells[2]).toBe('Unknown');
  });

  it('prints the pod reason (Evicted) when no container says otherwise', () => {
    const p = pod({}, { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
    expect(podRow(p, now).cells.slice(1, 4)).toEqual(['0/1', 'Evicted', '0']);
  });

  it('prints SchedulingGated for a pod held by scheduling gates', () => {
    const p = pod(
      { nodeName: undefined, schedulingGates: [{ name: 'example.com/quota' }] },
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    );
    expect(podRow(p, now).cells).toEqual(['web-7d9f8b6c5-x2k4p', '0/1', 'SchedulingGated', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('counts a started sidecar init container in READY and keeps its restarts', () => {
    const p = pod(
      { initContainers: [{ name: 'migrate' }, { name: 'proxy', restartPolicy: 'Always' }] },
      {
        phase: 'Running',
        conditions: readyCondition('True'),
        initContainerStatuses: [
          { name: 'migrate', ready: false, restartCount: 2, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(100) } } },
          { name: 'proxy', ready: true, started: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } },
        ],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
    );
    // The finished init container's restarts no longer count once the pod is initialized.
    expect(podRow(p, now).cells.slice(1, 4)).toEqual(['2/2', 'Running', '1 (30s ago)']);
  });

  it('uses the latest previous termination across containers for the restart age', () => {
    const p = pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Running',
        conditions: readyCondition('True'),
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(4000) } } },
          { name: 'b', ready: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(400) } } },
        ],
      },
    );
    expect(podRow(p, now).cells[3]).toBe('3 (6m40s ago)');
  });

  it('prints restarts without an age when no previous termination time is known', () => {
    const p = pod({}, { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 4, state: running }] });
    expect(podRow(p, now).cells[3]).toBe('4');
  });

  it('prints the nominated node and readiness gates', () => {
    const p = pod(
      { readinessGates: [{ conditionType: 'example.com/lb-ready' }, { conditionType: 'example.com/dns-ready' }] },
      {
        phase: 'Running',
        nominatedNodeName: 'node-b',
        podIPs: [{ ip: 'fd00::5' }, { ip: '10.244.1.5' }],
        conditions: [...readyCondition('False'), { type: 'example.com/lb-ready', status: 'True' }, { type: 'example.com/dns-ready', status: 'False' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
    );
    expect(podRow(p, now).cells.slice(5)).toEqual(['fd00::5', 'node-a', 'node-b', '1/2']);
  });

  it('declares the kubectl columns, wide ones at priority 1', () => {
    expect(podPrinter.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    expect(podPrinter.columns[0]).toMatchObject({ type: 'string', format: 'name' });
  });
});
