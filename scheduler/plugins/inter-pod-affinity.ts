/**
 * InterPodAffinity. Filter, over topology domains (the value of the term's topologyKey
 * label on a node):
 * - the pod's required affinity: every term needs a matching pod in the node's domain
 *   (except the first pod of a group, which matches its own terms and finds none);
 * - the pod's required anti-affinity: no term may have a matching pod in the domain;
 * - existing pods' required anti-affinity: no existing pod whose term matches this pod
 *   may be in the node's domain.
 * Score: preferred terms of the pod and of existing pods (affinity +weight,
 * anti-affinity -weight; existing pods' required affinity counts 1), per domain,
 * normalised min..max to 0..100.
 */
import type { SchedulerCache } from '../cache.js';
import { failure, MAX_NODE_SCORE, type CycleState, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import { termMatchesPod, type AffinityTerm, type PodInfo } from '../pod-info.js';

const NAME = 'InterPodAffinity';
const FAIL_AFFINITY = failure(NAME, true, "node(s) didn't match pod affinity rules");
const FAIL_ANTI = failure(NAME, false, "node(s) didn't match pod anti-affinity rules");
const FAIL_EXISTING_ANTI = failure(NAME, false, "node(s) didn't satisfy existing pods anti-affinity rules");
/** The weight of an existing pod's required affinity term in scoring (hardPodAffinityWeight). */
const HARD_POD_AFFINITY_WEIGHT = 1;

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

type Counts = Map<string, number>;

function bump(counts: Counts, key: string, node: NodeInfo, by = 1): void {
  const v = node.labels[key];
  if (v === undefined) return;
  const k = pair(key, v);
  counts.set(k, (counts.get(k) ?? 0) + by);
}

interface FilterState {
  existingAnti: Counts;
  affinity: Counts;
  anti: Counts;
  /** The pod matches all its own required affinity terms (it may start a group). */
  selfMatches: boolean;
}

function prepareFilter(pod: PodInfo, cache: SchedulerCache): FilterState | undefined {
  const own = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
  if (!own && cache.affinityTally.withRequiredAntiAffinity === 0) return undefined;
  const st: FilterState = { existingAnti: new Map(), affinity: new Map(), anti: new Map(), selfMatches: false };
  let anyExistingAnti = false;
  for (const node of cache.nodeList) {
    for (const existing of node.podsWithRequiredAntiAffinity) {
      anyExistingAnti = true;
      for (const t of existing.requiredAntiAffinity) if (termMatchesPod(t, pod)) bump(st.existingAnti, t.topologyKey, node);
    }
    if (!own) continue;
    for (const existing of node.pods.values()) {
      if (existing.key === pod.key) continue;
      if (pod.requiredAffinity.length > 0 && pod.requiredAffinity.every((t) => termMatchesPod(t, existing))) {
        for (const t of pod.requiredAffinity) bump(st.affinity, t.topologyKey, node);
      }
      for (const t of pod.requiredAntiAffinity) if (termMatchesPod(t, existing)) bump(st.anti, t.topologyKey, node);
    }
  }
  if (!own && !anyExistingAnti) return undefined;
  st.selfMatches = pod.requiredAffinity.every((t) => termMatchesPod(t, pod));
  return st;
}

function inDomain(counts: Counts, term: AffinityTerm, node: NodeInfo): boolean {
  const v = node.labels[term.topologyKey];
  return v !== undefined && (counts.get(pair(term.topologyKey, v)) ?? 0) > 0;
}

export const interPodAffinityFilter: FilterPlugin = {
  name: NAME,
  preFilter(state, pod, cache) {
    const st = prepareFilter(pod, cache);
    if (!st) return 'skip';
    state.write(NAME, st);
    return 'run';
  },
  filter(state: CycleState, pod, node) {
    const st = state.read<FilterState>(NAME);
    if (pod.requiredAffinity.length > 0) {
      let ok = true;
      for (const t of pod.requiredAffinity) {
        // A node without the topology label can never satisfy an affinity term.
        if (node.labels[t.topologyKey] === undefined) return FAIL_AFFINITY;
        if (!inDomain(st.affinity, t, node)) ok = false;
      }
      if (!ok && !(st.affinity.size === 0 && st.selfMatches)) return FAIL_AFFINITY;
    }
    for (const t of pod.requiredAntiAffinity) if (inDomain(st.anti, t, node)) return FAIL_ANTI;
    if (st.existingAnti.size > 0) {
      for (const [k, v] of Object.entries(node.labels)) if ((st.existingAnti.get(pair(k, v)) ?? 0) > 0) return FAIL_EXISTING_ANTI;
    }
    return null;
  },
};

/** topologyKey → value → score */
type TopologyScore = Map<string, Map<string, number>>;

function add(ts: TopologyScore, key: string, node: NodeInfo, w: number): void {
  const v = node.labels[key];
  if (v === undefined || w === 0) return;
  let m = ts.get(key);
  if (!m) ts.set(key, (m = new Map()));
  m.set(v, (m.get(v) ?? 0) + w);
}

export const interPodAffinityScore: ScorePlugin = {
  name: NAME,
  preScore(state, pod, _feasible, _count, cache) {
    const ownTerms = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    if (!ownTerms && cache.affinityTally.withAffinity === 0) return 'skip';
    const ts: TopologyScore = new Map();
    let any = false;
    for (const node of cache.nodeList) {
      const pods = ownTerms ? node.pods.values() : node.podsWithAffinity.values();
      for (const existing of pods) {
        if (existing.key === pod.key) continue;
        any = true;
        for (const t of pod.preferredAffinity) if (termMatchesPod(t, existing)) add(ts, t.topologyKey, node, t.weight);
        for (const t of pod.preferredAntiAffinity) if (termMatchesPod(t, existing)) add(ts, t.topologyKey, node, -t.weight);
        for (const t of existing.requiredAffinity) if (termMatchesPod(t, pod)) add(ts, t.topologyKey, node, HARD_POD_AFFINITY_WEIGHT);
        for (const t of existing.preferredAffinity) if (termMatchesPod(t, pod)) add(ts, t.topologyKey, node, t.weight);
        for (const t of existing.preferredAntiAffinity) if (termMatchesPod(t, pod)) add(ts, t.topologyKey, node, -t.weight);
      }
    }
    if (!any || ts.size === 0) return 'skip';
    state.write(NAME, ts);
    return 'run';
  },
  score(state, _pod, node) {
    let s = 0;
    for (const [key, values] of state.read<TopologyScore>(NAME)) {
      const v = node.labels[key];
      if (v !== undefined) s += values.get(v) ?? 0;
    }
    return s;
  },
  normalize(_state, scores, n) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      min = Math.min(min, scores[i]!);
      max = Math.max(max, scores[i]!);
    }
    const diff = max - min;
    for (let i = 0; i < n; i++) scores[i] = diff > 0 ? Math.floor((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
  },
};
