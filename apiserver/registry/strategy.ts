/**
 * Per-type rules around storage ("strategies" in Kubernetes): what the server resets on
 * create, what a main-resource update may not touch (status) and what a status update may
 * not touch (everything else), which types track generation, and graceful deletion.
 */
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import type { PodSpec } from '../../api/types/pod.js';
import { podQOSClass } from '../../api/types/qos.js';

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** Types whose metadata.generation counts spec changes (apps workloads, as in Kubernetes). */
const GENERATION_TRACKED = new Set(['deployments', 'replicasets', 'statefulsets', 'daemonsets']);

export function tracksGeneration(def: ResourceDef): boolean {
  return def.group === 'apps' && GENERATION_TRACKED.has(def.plural);
}

/** The parts of an object that count as "spec" for generation (all but metadata and status). */
export function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

export function prepareForCreate(def: ResourceDef, obj: Obj): void {
  if (tracksGeneration(def)) obj.metadata.generation = 1;
  switch (def.plural) {
    case 'pods':
      obj.status = { phase: 'Pending', qosClass: podQOSClass(obj.spec as PodSpec) };
      break;
    case 'namespaces':
      obj.status = { phase: 'Active' };
      break;
    case 'deployments':
    case 'replicasets':
      delete obj.status;
      break;
    case 'services':
      obj.status = { loadBalancer: {} };
      break;
  }
}

/** A main-resource update: status comes from the old object when the type has a status subresource. */
export function prepareForUpdate(def: ResourceDef, obj: Obj, old: Obj): void {
  if (def.hasStatus) {
    if (old.status === undefined) delete obj.status;
    else obj.status = old.status;
  }
  if (def.plural === 'namespaces') {
    // spec.finalizers change only through namespaces/finalize.
    obj.spec = old.spec;
  }
}

/** A status update: everything but status comes from the old object (metadata included, as ResetObjectMetaForStatus). */
export function prepareForStatusUpdate(obj: Obj, old: Obj): Obj {
  return { ...old, metadata: { ...old.metadata, resourceVersion: obj.metadata.resourceVersion }, status: obj.status };
}

/** namespaces/finalize: only spec.finalizers changes. */
export function prepareForFinalize(obj: Obj, old: Obj): Obj {
  const finalizers = (obj.spec?.finalizers as string[] | undefined) ?? [];
  return { ...old, metadata: { ...old.metadata, resourceVersion: obj.metadata.resourceVersion }, spec: { ...(old.spec ?? {}), finalizers } };
}

/**
 * Graceful deletion (pods only, as in Kubernetes): the grace period a delete gets, or 0 to
 * delete at once. A pod that is not bound to a node, or already terminal, goes at once.
 */
export function gracePeriodFor(def: ResourceDef, obj: Obj, requested: number | undefined): number {
  if (def.plural !== 'pods') return 0;
  const spec = obj.spec ?? {};
  const status = obj.status ?? {};
  if (!spec.nodeName) return 0;
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
  const grace = requested ?? (spec.terminationGracePeriodSeconds as number | undefined) ?? 30;
  return Math.max(0, grace);
}
