/**
 * What the scheduler needs from a pod, computed once when the pod enters the queue or
 * the cache: parsed requests, host ports, and affinity terms with their label selectors
 * compiled and their namespaces resolved.
 */
import { labelSelectorAsSelector, type Selector } from '../api/selectors/labels.js';
import type { Pod } from '../api/types/pod.js';
import { podRequests, type Resource } from './resources.js';

export interface AffinityTerm {
  selector: Selector;
  /** Namespaces the term looks in; empty set with allNamespaces = every namespace. */
  namespaces: Set<string>;
  allNamespaces: boolean;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  pod: Pod;
  /** namespace/name */
  key: string;
  uid: string;
  namespace: string;
  labels: Record<string, string>;
  priority: number;
  requests: Resource;
  /** Requests with kube-scheduler's non-zero defaults, for scoring. */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** uid of the controller owner, for default spreading. */
  ownerUid: string | undefined;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

function compileTerm(
  ns: string,
  t: { labelSelector?: Parameters<typeof labelSelectorAsSelector>[0]; namespaces?: string[]; topologyKey: string; namespaceSelector?: unknown },
): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  // An empty namespaceSelector ({}) selects every namespace; namespace labels are not
  // watched, so any other namespaceSelector is treated as "no extra namespaces".
  const sel = t.namespaceSelector as { matchLabels?: object; matchExpressions?: unknown[] } | undefined;
  const allNamespaces = sel !== undefined && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
  if (namespaces.size === 0 && sel === undefined) namespaces.add(ns);
  return { selector: labelSelectorAsSelector(t.labelSelector), namespaces, allNamespaces, topologyKey: t.topologyKey };
}

export function termMatchesPod(term: AffinityTerm, pod: PodInfo): boolean {
  return (term.allNamespaces || term.namespaces.has(pod.namespace)) && term.selector.matches(pod.labels);
}

export function newPodInfo(pod: Pod): PodInfo {
  const ns = pod.metadata.namespace ?? 'default';
  const aff = pod.spec.affinity;
  const hostPorts: HostPort[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort });
    }
  }
  const nonZero = podRequests(pod, true);
  return {
    pod,
    key: podKey(pod),
    uid: pod.metadata.uid ?? podKey(pod),
    namespace: ns,
    labels: pod.metadata.labels ?? {},
    priority: pod.spec.priority ?? 0,
    requests: podRequests(pod),
    nonZeroMilliCPU: nonZero.milliCPU,
    nonZeroMemory: nonZero.memory,
    hostPorts,
    requiredAffinity: (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(ns, t)),
    requiredAntiAffinity: (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(ns, t)),
    preferredAffinity: (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileTerm(ns, w.podAffinityTerm),
      weight: w.weight,
    })),
    preferredAntiAffinity: (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileTerm(ns, w.podAffinityTerm),
      weight: w.weight,
    })),
    ownerUid: pod.metadata.ownerReferences?.find((r) => r.controller)?.uid,
  };
}

export function hasAffinity(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}
