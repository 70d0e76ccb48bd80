/**
 * The pod a ReplicaSet creates from its template (Kubernetes' GetPodFromTemplate): the
 * template's labels, annotations, finalizers and spec, a generated name "<rs>-<5 chars>"
 * (the apiserver fills in the suffix), and a controller ownerReference to the ReplicaSet.
 */
import type { OwnerReference } from '../../api/meta/object-meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';

/** The ownerReference that makes `rs` the pod's controller; blockOwnerDeletion holds up foreground deletion. */
export function controllerRef(rs: ReplicaSet): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: rs.metadata.name ?? '',
    uid: rs.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** "<name>-" unless that is longer than a name may be (then the bare name, as Kubernetes). */
export function podNamePrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  return prefix.length <= 253 ? prefix : controllerName;
}

export function podFromTemplate(rs: ReplicaSet): Pod {
  const template = structuredClone(rs.spec.template);
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podNamePrefix(rs.metadata.name ?? ''),
      namespace: rs.metadata.namespace,
      labels: { ...meta.labels },
      ownerReferences: [controllerRef(rs)],
    },
    spec: template.spec,
  };
  if (meta.annotations && Object.keys(meta.annotations).length > 0) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers && meta.finalizers.length > 0) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}
