/**
 * Deployments and ReplicaSets: replica counts from spec and status, with the pod
 * template's containers, images and the selector as wide columns.
 */
import type { KubeObject, ObjectMeta } from '../../api/meta/object-meta.js';
import { timestampSince } from './duration.js';
import { containerCells, formatLabelSelector, int, labelSelectorString, type ContainerLike, type LabelSelectorLike } from './format.js';
import { ageColumn, column, containersColumn, imagesColumn, nameColumn, wideColumn, type TablePrinter } from './printer.js';

interface ReplicatedLike {
  metadata: ObjectMeta;
  spec?: {
    replicas?: number | null;
    selector?: LabelSelectorLike | null;
    template?: { spec?: { containers?: ContainerLike[] | null } | null } | null;
  } | null;
  status?: {
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  } | null;
}

/** spec.replicas defaults to 1 in Kubernetes; read it the same way if defaulting has not run. */
function desiredReplicas(obj: ReplicatedLike): number {
  const r = obj.spec?.replicas;
  return typeof r === 'number' ? r : 1;
}

export const deploymentPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Ready pods out of the desired replicas.'),
    column('Up-to-date', 'string', 'Pods that run the current pod template.'),
    column('Available', 'string', 'Pods that have been ready for at least minReadySeconds.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    wideColumn('Selector', 'Label selector of the pods the deployment manages.'),
  ],
  print(obj: KubeObject, { now }) {
    const d = obj as ReplicatedLike;
    const { names, images } = containerCells(d.spec?.template?.spec?.containers);
    return {
      cells: [
        d.metadata.name ?? '',
        `${int(d.status?.readyReplicas)}/${desiredReplicas(d)}`,
        int(d.status?.updatedReplicas),
        int(d.status?.availableReplicas),
        timestampSince(d.metadata.creationTimestamp, now),
        names,
        images,
        labelSelectorString(d.spec?.selector) ?? '<invalid>',
      ],
    };
  },
};

export const replicaSetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Number of pods the replica set wants (spec.replicas).'),
    column('Current', 'integer', 'Number of pods the replica set currently has (status.replicas).'),
    column('Ready', 'integer', 'Number of those pods that are ready.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    wideColumn('Selector', 'Label selector of the pods the replica set manages.'),
  ],
  print(obj: KubeObject, { now }) {
    const rs = obj as ReplicatedLike;
    const { names, images } = containerCells(rs.spec?.template?.spec?.containers);
    return {
      cells: [
        rs.metadata.name ?? '',
        desiredReplicas(rs),
        int(rs.status?.replicas),
        int(rs.status?.readyReplicas),
        timestampSince(rs.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(rs.spec?.selector),
      ],
    };
  },
};
