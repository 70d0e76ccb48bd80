/**
 * Nodes: NAME, STATUS, ROLES, AGE, VERSION; wide INTERNAL-IP, EXTERNAL-IP, OS-IMAGE,
 * KERNEL-VERSION, CONTAINER-RUNTIME. STATUS comes from the Ready condition ("Ready",
 * "NotReady", or "Unknown" when the node never reported it), plus ",SchedulingDisabled"
 * for a cordoned node.
 */
import type { KubeObject, ObjectMeta } from '../../api/meta/object-meta.js';
import { timestampSince } from './duration.js';
import { NONE } from './format.js';
import { ageColumn, column, nameColumn, wideColumn, type TablePrinter } from './printer.js';

interface NodeLike {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean } | null;
  status?: {
    conditions?: { type?: string; status?: string }[] | null;
    addresses?: { type?: string; address?: string }[] | null;
    nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string } | null;
  } | null;
}

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
/** The older role label: kubernetes.io/role=<role>. */
const ROLE_LABEL = 'kubernetes.io/role';

export function nodeStatus(node: NodeLike): string {
  const status: string[] = [];
  // The last condition of a type wins, as in a map keyed by type.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

export function nodeRoles(labels: Record<string, string> | null | undefined): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key.startsWith(ROLE_LABEL_PREFIX)) {
      const role = key.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (key === ROLE_LABEL && value) {
      roles.add(value);
    }
  }
  return roles.size === 0 ? NONE : [...roles].sort().join(',');
}

function firstAddress(node: NodeLike, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? NONE;
}

export const nodePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Readiness of the node, and whether scheduling on it is disabled.'),
    column('Roles', 'string', 'Roles of the node, from its node-role.kubernetes.io/<role> labels.'),
    ageColumn(),
    column('Version', 'string', 'Version of the kubelet on the node.'),
    wideColumn('Internal-IP', 'First InternalIP address of the node.'),
    wideColumn('External-IP', 'First ExternalIP address of the node.'),
    wideColumn('OS-Image', 'Operating system image reported by the node.'),
    wideColumn('Kernel-Version', 'Kernel version reported by the node.'),
    wideColumn('Container-Runtime', 'Container runtime name and version reported by the node.'),
  ],
  print(obj: KubeObject, { now }) {
    const node = obj as NodeLike;
    const info = node.status?.nodeInfo ?? {};
    return {
      cells: [
        node.metadata.name ?? '',
        nodeStatus(node),
        nodeRoles(node.metadata.labels),
        timestampSince(node.metadata.creationTimestamp, now),
        info.kubeletVersion ?? '',
        firstAddress(node, 'InternalIP'),
        firstAddress(node, 'ExternalIP'),
        info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>',
        info.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};
