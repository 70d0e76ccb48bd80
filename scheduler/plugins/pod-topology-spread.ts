/**
 * PodTopologySpread. A constraint counts the pods matching its selector (same
 * namespace) per topology domain, over the nodes the pod could go to (its node
 * affinity/selector honoured).
 * Filter (DoNotSchedule): placing the pod in the node's domain must keep
 * count + self − global minimum ≤ maxSkew; a node without the key never fits.
 * Score (ScheduleAnyway; or, for a pod with a controller and no constraints, the
 * system defaults: hostname maxSkew 3 and zone maxSkew 5 over pods of the same owner):
 * fewer matching pods in the node's domain is better, each constraint weighted by
 * log(domains + 2); normalised so the emptiest node gets 100.
 */
import type { SchedulerCache } from '../cache.js';
import { failure, MAX_NODE_SCORE, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import { labelSelectorAsSelector, type Selector } from '../../api/selectors/labels.js';
import type { PodInfo } from '../pod-info.js';
import { nodeMatchesPodRequirements } from './node-affinity.js';

const NAME = 'PodTopologySpread';
const FAIL_SKEW = failure(NAME, false, "node(s) didn't match pod topology spread constraints");
const FAIL_LABEL = failure(NAME, true, "node(s) didn't match pod topology spread constraints (missing required label)");

export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  matches(p: PodInfo): boolean;
  /** Set for the default constraints: matching pods are those of this owner (counted per node by the cache). */
  ownerUid?: string;
}

function compile(pod: PodInfo, hard: boolean): Constraint[] {
  const explicit = pod.pod.spec.topologySpreadConstraints ?? [];
  const want = hard ? 'DoNotSchedule' : 'ScheduleAnyway';
  if (explicit.length > 0) {
    return explicit
      .filter((c) => c.whenUnsatisfiable === want)
      .map((c) => {
        let selector: Selector = labelSelectorAsSelector(c.labelSelector);
        // matchLabelKeys narrow the selector to pods sharing the incoming pod's values.
        const extra: Record<string, string> = {};
        for (const k of c.matchLabelKeys ?? []) if (pod.labels[k] !== undefined) extra[k] = pod.labels[k];
        const keys = Object.keys(extra);
        if (keys.length > 0) {
          const base = c.labelSelector ?? {};
          selector = labelSelectorAsSelector({ ...base, matchLabels: { ...(base.matchLabels ?? {}), ...extra } });
        }
        return {
          maxSkew: c.maxSkew,
          topologyKey: c.topologyKey,
          minDomains: c.minDomains ?? 1,
          matches: (p: PodInfo) => p.namespace === pod.namespace && selector.matches(p.labels),
        };
      });
  }
  if (hard || !pod.ownerUid) return [];
  const owner = pod.ownerUid;
  const sameOwner = (p: PodInfo) => p.namespace === pod.namespace && p.ownerUid === owner;
  return [
    { maxSkew: 3, topologyKey: HOSTNAME_KEY, minDomains: 1, matches: sameOwner, ownerUid: owner },
    { maxSkew: 5, topologyKey: ZONE_KEY, minDomains: 1, matches: sameOwner, ownerUid: owner },
  ];
}

function countOn(node: NodeInfo, c: Constraint, self: string): number {
  // The pod being scheduled is not in the cache yet (it is pending), so the owner count excludes it.
  if (c.ownerUid !== undefined) return node.ownerCounts.get(c.ownerUid) ?? 0;
  let n = 0;
  for (const p of node.pods.values()) if (p.key !== self && !p.pod.metadata.deletionTimestamp && c.matches(p)) n++;
  return n;
}

function hasAllKeys(node: NodeInfo, cs: readonly Constraint[]): boolean {
  for (const c of cs) if (node.labels[c.topologyKey] === undefined) return false;
  return true;
}

interface FilterState {
  constraints: Constraint[];
  /** Per constraint: domain value → matching pods. */
  counts: Map<string, number>[];
  /** Per constraint: the smallest domain count (0 when fewer domains than minDomains). */
  min: number[];
  selfMatch: number[];
}

export const podTopologySpreadFilter: FilterPlugin = {
  name: NAME,
  preFilter(state, pod, cache: SchedulerCache) {
    const constraints = compile(pod, true);
    if (constraints.length === 0) return 'skip';
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of cache.nodeList) {
      if (!hasAllKeys(node, constraints) || !nodeMatchesPodRequirements(pod, node)) continue;
      constraints.forEach((c, i) => {
        const v = node.labels[c.topologyKey]!;
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countOn(node, c, pod.key));
      });
    }
    const min = constraints.map((c, i) => {
      const m = counts[i]!;
      if (m.size < c.minDomains) return 0;
      let lo = Infinity;
      for (const v of m.values()) lo = Math.min(lo, v);
      return lo === Infinity ? 0 : lo;
    });
    state.write<FilterState>(NAME, { constraints, counts, min, selfMatch: constraints.map((c) => (c.matches(pod) ? 1 : 0)) });
    return 'run';
  },
  filter(state, _pod, node) {
    const st = state.read<FilterState>(NAME);
    for (let i = 0; i < st.constraints.length; i++) {
      const c = st.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return FAIL_LABEL;
      const skew = (st.counts[i]!.get(v) ?? 0) + st.selfMatch[i]! - st.min[i]!;
      if (skew > c.maxSkew) return FAIL_SKEW;
    }
    return null;
  },
};

interface ScoreState {
  constraints: Constraint[];
  counts: Map<string, number>[];
  weights: number[];
}

/** Scores of nodes lacking a constraint's key; normalised to 0. */
const IGNORED = -1;

export const podTopologySpreadScore: ScorePlugin = {
  name: NAME,
  preScore(state, pod, feasible, count, cache) {
    const constraints = compile(pod, false);
    if (constraints.length === 0) return 'skip';
    const counts = constraints.map(() => new Map<string, number>());
    constraints.forEach((c, i) => {
      // Hostname domains are single nodes: only the feasible ones can be chosen, so only they are counted.
      const hostname = c.topologyKey === HOSTNAME_KEY;
      const nodes = hostname ? feasible : cache.nodeList;
      const n = hostname ? count : cache.nodeList.length;
      for (let k = 0; k < n; k++) {
        const node = nodes[k]!;
        if (!hasAllKeys(node, constraints) || !nodeMatchesPodRequirements(pod, node)) continue;
        const v = node.labels[c.topologyKey]!;
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countOn(node, c, pod.key));
      }
    });
    const weights = counts.map((m) => Math.log(m.size + 2));
    state.write<ScoreState>(NAME, { constraints, counts, weights });
    return 'run';
  },
  score(state, _pod, node) {
    const st = state.read<ScoreState>(NAME);
    if (!hasAllKeys(node, st.constraints)) return IGNORED;
    let s = 0;
    st.constraints.forEach((c, i) => {
      const cnt = st.counts[i]!.get(node.labels[c.topologyKey]!) ?? 0;
      s += cnt * st.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(s);
  },
  normalize(_state, scores, n) {
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      if (s === IGNORED) continue;
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      if (s === IGNORED) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.floor((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  },
};
