/**
 * Pods: NAME, READY, STATUS, RESTARTS, AGE; wide IP, NODE, NOMINATED NODE, READINESS GATES.
 * STATUS follows Kubernetes' reasoning: the pod phase (or status.reason), replaced by the
 * first unfinished init container ("Init:1/2", "Init:CrashLoopBackOff", "Init:Error"), then
 * by the state of the app containers ("ContainerCreating", "CrashLoopBackOff", "Completed",
 * "OOMKilled", "ExitCode:3"), and finally by "Terminating" once deletion has started.
 */
import type { KubeObject, ObjectMeta } from '../../api/meta/object-meta.js';
import { humanDuration, parseTimestamp, timestampSince } from './duration.js';
import { NONE, int } from './format.js';
import { ageColumn, column, nameColumn, wideColumn, type PrintContext, type PrintedRow, type TablePrinter } from './printer.js';
import type { TableRowCondition } from './table.js';

interface ContainerStateLike {
  waiting?: { reason?: string } | null;
  running?: { startedAt?: string | null } | null;
  terminated?: { exitCode?: number; signal?: number; reason?: string; finishedAt?: string | null } | null;
}

interface ContainerStatusLike {
  name?: string;
  ready?: boolean;
  started?: boolean | null;
  restartCount?: number;
  state?: ContainerStateLike | null;
  lastState?: ContainerStateLike | null;
}

interface PodConditionLike {
  type?: string;
  status?: string;
  reason?: string;
}

interface PodLike {
  metadata: ObjectMeta;
  spec?: {
    containers?: { name?: string }[] | null;
    initContainers?: { name?: string; restartPolicy?: string | null }[] | null;
    nodeName?: string;
    readinessGates?: { conditionType?: string }[] | null;
  } | null;
  status?: {
    phase?: string;
    reason?: string;
    conditions?: PodConditionLike[] | null;
    initContainerStatuses?: ContainerStatusLike[] | null;
    containerStatuses?: ContainerStatusLike[] | null;
    podIP?: string;
    podIPs?: { ip?: string }[] | null;
    nominatedNodeName?: string;
  } | null;
}

/** status.reason the node lifecycle controller sets on pods of an unreachable node. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

const succeededConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'All containers of the pod exited successfully.' },
];
const failedConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod terminated with a failure.' },
];

/** Latest finishedAt of the previous termination, tracked as the "last restart" time. */
function laterRestart(current: number | undefined, status: ContainerStatusLike): number | undefined {
  const finished = parseTimestamp(status.lastState?.terminated?.finishedAt);
  if (finished === undefined) return current;
  return current === undefined || current < finished ? finished : current;
}

function hasCondition(pod: PodLike, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** A terminated state without a reason reads as its signal or exit code. */
function terminatedWithoutReason(t: { exitCode?: number; signal?: number }): string {
  return int(t.signal) !== 0 ? `Signal:${int(t.signal)}` : `ExitCode:${int(t.exitCode)}`;
}

export function podRow(obj: KubeObject, now: Date): PrintedRow {
  const pod = obj as PodLike;
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs = spec.initContainers ?? [];
  // Sidecars are init containers with restartPolicy Always: they run alongside the app
  // containers, so they count in READY and their restarts stay in RESTARTS.
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name ?? ''));

  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  let readyContainers = 0;
  const totalContainers = (spec.containers ?? []).length + sidecars.size;

  const phase = status.phase ?? '';
  let reason = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const isSidecar = sidecars.has(cs.name ?? '');
    restarts += int(cs.restartCount);
    lastRestart = laterRestart(lastRestart, cs);
    if (isSidecar) {
      sidecarRestarts += int(cs.restartCount);
      lastSidecarRestart = laterRestart(lastSidecarRestart, cs);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (isSidecar && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason ? `Init:${terminated.reason}` : `Init:${terminatedWithoutReason(terminated)}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards so the first container's state wins, as Kubernetes does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += int(cs.restartCount);
      lastRestart = laterRestart(lastRestart, cs);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminatedWithoutReason(terminated);
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A finished container next to running ones does not make the pod "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_UNREACHABLE_REASON) {
    reason = 'Unknown';
  } else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartsCell =
    restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)` : String(restarts);

  const podIP = status.podIPs?.[0]?.ip || status.podIP || NONE;
  const gates = spec.readinessGates ?? [];
  let readinessGates = NONE;
  if (gates.length > 0) {
    let trueGates = 0;
    for (const gate of gates) {
      const cond = (status.conditions ?? []).find((c) => c.type === gate.conditionType);
      if (cond?.status === 'True') trueGates++;
    }
    readinessGates = `${trueGates}/${gates.length}`;
  }

  const row: PrintedRow = {
    cells: [
      pod.metadata.name ?? '',
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      timestampSince(pod.metadata.creationTimestamp, now),
      podIP,
      spec.nodeName || NONE,
      status.nominatedNodeName || NONE,
      readinessGates,
    ],
  };
  if (phase === 'Succeeded') row.conditions = succeededConditions;
  if (phase === 'Failed') row.conditions = failedConditions;
  return row;
}

export const podPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Ready containers out of all containers of the pod.'),
    column('Status', 'string', 'Summary of the pod state derived from its phase and container states.'),
    column('Restarts', 'string', 'Container restarts in this pod, and how long ago the last one happened.'),
    ageColumn(),
    wideColumn('IP', 'The IP address assigned to the pod.'),
    wideColumn('Node', 'The node the pod is bound to.'),
    wideColumn('Nominated Node', 'The node the scheduler nominated after preempting pods for this one.'),
    wideColumn('Readiness Gates', 'Readiness gates whose condition is True, out of all readiness gates.'),
  ],
  print: (obj: KubeObject, ctx: PrintContext) => podRow(obj, ctx.now),
};
