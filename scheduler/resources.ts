/**
 * Resource amounts as the scheduler counts them: milli-CPU, bytes of memory and
 * ephemeral storage, and extended resources (e.g. example.com/gpu) by name. Quantities
 * are parsed once, when a pod or node enters the cache, never on the hot path.
 */
import type { Pod } from '../api/types/pod.js';
import type { Node } from '../api/types/node.js';
import type { Container } from '../api/types/container.js';
import type { ResourceList } from '../api/types/common.js';
import { parseQuantity } from '../api/types/quantity.js';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources by name; absent entries are zero. */
  scalar: Map<string, number> | undefined;
}

export const emptyResource = (): Resource => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: undefined });

/** Requests assumed for a container that sets none, for scoring only (kube-scheduler's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const IGNORED = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

function amount(q: ResourceList[string] | undefined): number {
  if (q === undefined) return 0;
  return parseQuantity(q) ?? 0;
}

/** A ResourceList as a Resource (cpu in millicores, rounded up as Kubernetes' MilliValue). */
export function resourceFromList(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const [name, q] of Object.entries(list)) {
    if (name === 'cpu') r.milliCPU = Math.ceil(Math.round(amount(q) * 1e9) / 1e6);
    else if (name === 'memory') r.memory = Math.ceil(amount(q));
    else if (name === 'ephemeral-storage') r.ephemeralStorage = Math.ceil(amount(q));
    else if (!IGNORED.has(name) && !name.startsWith('hugepages-') && name.includes('/')) {
      (r.scalar ??= new Map()).set(name, amount(q));
    }
  }
  return r;
}

export function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  if (r.scalar) {
    const s = (into.scalar ??= new Map());
    for (const [k, v] of r.scalar) s.set(k, (s.get(k) ?? 0) + sign * v);
  }
}

function maxResource(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  if (r.scalar) {
    const s = (into.scalar ??= new Map());
    for (const [k, v] of r.scalar) s.set(k, Math.max(s.get(k) ?? 0, v));
  }
}

/** A container's requests; limits stand in for requests that are not given, as the apiserver defaults them. */
function containerRequests(c: Container): Resource {
  return resourceFromList({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) });
}

/**
 * The pod's effective request, as Kubernetes computes it: the larger of the app
 * containers' sum (plus restartable "sidecar" init containers, which keep running) and
 * the largest regular init container (plus the sidecars started before it), plus the
 * pod overhead.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const toRes = (c: Container): Resource => {
    const r = containerRequests(c);
    if (nonZero) {
      const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
      if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
      if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
    }
    return r;
  };
  const apps = emptyResource();
  for (const c of pod.spec.containers) addResource(apps, toRes(c));
  const sidecars = emptyResource();
  const initPeak = emptyResource();
  for (const c of pod.spec.initContainers ?? []) {
    const r = toRes(c);
    if (c.restartPolicy === 'Always') {
      addResource(sidecars, r);
      maxResource(initPeak, sidecars);
    } else {
      const during = emptyResource();
      addResource(during, sidecars);
      addResource(during, r);
      maxResource(initPeak, during);
    }
  }
  addResource(apps, sidecars);
  maxResource(apps, initPeak);
  if (pod.spec.overhead) addResource(apps, resourceFromList(pod.spec.overhead));
  return apps;
}

export interface NodeCapacity {
  allocatable: Resource;
  allowedPodNumber: number;
}

export function nodeAllocatable(node: Node): NodeCapacity {
  const list = node.status?.allocatable ?? node.status?.capacity;
  return { allocatable: resourceFromList(list), allowedPodNumber: Math.floor(amount(list?.pods)) };
}
