/** The scale and binding subresources, built on a resource's store. */
import { z } from 'zod';
import { badRequest, conflict, invalid } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { selectorToString } from '../../api/selectors/labels.js';
import { applyPatch } from '../patch/apply-patch.js';
import type { ResourceStore, WriteContext } from '../registry/resource-store.js';
import { nowTimestamp } from '../registry/object-meta.js';

export const ScaleBody = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.object({ name: z.string().optional(), namespace: z.string().optional(), resourceVersion: z.string().optional(), uid: z.string().optional() }).passthrough().optional(),
  spec: z.object({ replicas: z.number().int().optional() }).strict().optional(),
  status: z.unknown().optional(),
});

type Workload = KubeObject & { spec?: { replicas?: number; selector?: Parameters<typeof selectorToString>[0] }; status?: { replicas?: number } };

/** autoscaling/v1 Scale of a Deployment or ReplicaSet. */
export function scaleOf(obj: Workload): KubeObject {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorToString(obj.spec?.selector) },
  };
}

/** PUT or PATCH of a Scale: sets spec.replicas of the workload (resourceVersion in the Scale is a precondition). */
export async function updateScale(
  store: ResourceStore,
  namespace: string | undefined,
  name: string,
  ctx: WriteContext,
  desiredScale: (current: KubeObject) => unknown,
): Promise<KubeObject> {
  const updated = await store.systemUpdate(namespace, name, ctx, (current) => {
    const parsed = ScaleBody.safeParse(desiredScale(scaleOf(current as Workload)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badRequest(`Scale: ${issue.path.join('.')}: ${issue.message}`);
    }
    const scale = parsed.data;
    if (scale.metadata?.name && scale.metadata.name !== name) {
      throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw conflict(store.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const replicas = scale.spec?.replicas ?? 0;
    if (replicas < 0) {
      throw invalid('Scale', 'autoscaling', name, [
        { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` },
      ]);
    }
    const w = current as Workload;
    if ((w.spec?.replicas ?? 0) === replicas && w.spec?.replicas !== undefined) return undefined;
    w.spec = { ...(w.spec ?? {}), replicas };
    w.metadata.generation = (w.metadata.generation ?? 1) + 1;
    return w;
  });
  return scaleOf(updated as Workload);
}

export function patchScale(contentType: string, patchBody: unknown) {
  return (currentScale: KubeObject) => applyPatch(contentType, currentScale, patchBody, ScaleBody);
}

export const BindingBody = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).passthrough().optional(),
  target: z.object({ kind: z.string().optional(), name: z.string().min(1, 'target.name is required'), apiVersion: z.string().optional() }).passthrough(),
});

/** pods/binding: assigns a pod to a node once (409 if it already has one), as the scheduler does. */
export async function bindPod(store: ResourceStore, namespace: string, podName: string, body: unknown, ctx: WriteContext): Promise<void> {
  const parsed = BindingBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid('Binding', '', podName, [{ reason: 'FieldValueRequired', field: issue.path.join('.'), message: issue.message }]);
  }
  const binding = parsed.data;
  if (binding.metadata?.name && binding.metadata.name !== podName) {
    throw badRequest(`the name of the binding (${binding.metadata.name}) does not match the pod name on the URL (${podName})`);
  }
  if (binding.target.kind && binding.target.kind !== 'Node') {
    throw invalid('Binding', '', podName, [{ reason: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${binding.target.kind}": supported values: "Node"` }]);
  }
  const node = binding.target.name;
  await store.systemUpdate(namespace, podName, ctx, (current) => {
    const pod = current as KubeObject & { spec: { nodeName?: string }; status?: { conditions?: Condition[] } };
    if (pod.metadata.deletionTimestamp) throw conflict(store.gr, podName, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec.nodeName) throw conflict(store.gr, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = node;
    const status = (pod.status ??= {});
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
    status.conditions = conditions;
    return pod;
  });
}

interface Condition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}
