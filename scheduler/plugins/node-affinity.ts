/**
 * NodeAffinity. Filter: spec.nodeSelector (every label equal) and required node
 * affinity (terms ORed, requirements within a term ANDed; operators In, NotIn, Exists,
 * DoesNotExist, Gt, Lt; matchFields on metadata.name). Score: the sum of the weights
 * of the preferred terms the node matches, normalised so the best node gets 100.
 */
import type { Affinity } from '../../api/types/affinity.js';
import type { NodeInfo } from '../node-info.js';
import { defaultNormalize, failure, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { PodInfo } from '../pod-info.js';

type Term = NonNullable<NonNullable<NonNullable<Affinity['nodeAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms'][number]>;
type Requirement = NonNullable<Term['matchExpressions']>[number];

const NAME = 'NodeAffinity';
const FAIL = failure(NAME, true, "node(s) didn't match Pod's node affinity/selector");

const INTEGER = /^[+-]?\d+$/;

export function requirementMatches(r: Requirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !INTEGER.test(value) || !INTEGER.test(values[0]!)) return false;
      const have = Number(value);
      const want = Number(values[0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term with no requirements matches no node, as in Kubernetes. */
export function termMatches(term: Term, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!requirementMatches(r, node.labels[r.key])) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn')) return false;
    if (!requirementMatches(r, node.name)) return false;
  }
  return true;
}

/** Whether the node satisfies the pod's nodeSelector and required node affinity. */
export function nodeMatchesPodRequirements(pod: PodInfo, node: NodeInfo): boolean {
  const sel = pod.pod.spec.nodeSelector;
  if (sel) for (const k in sel) if (node.labels[k] !== sel[k]) return false;
  const terms = pod.pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  for (const t of terms) if (termMatches(t, node)) return true;
  return false;
}

function hasRequirements(pod: PodInfo): boolean {
  const spec = pod.pod.spec;
  return (spec.nodeSelector !== undefined && Object.keys(spec.nodeSelector).length > 0) || spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
}

export const nodeAffinityFilter: FilterPlugin = {
  name: NAME,
  preFilter: (_state, pod) => (hasRequirements(pod) ? 'run' : 'skip'),
  filter: (_state, pod, node) => (nodeMatchesPodRequirements(pod, node) ? null : FAIL),
};

interface Preferred {
  weight: number;
  preference: Term;
}

export const nodeAffinityScore: ScorePlugin = {
  name: NAME,
  preScore(state, pod) {
    const prefs = (pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((p) => p.weight !== 0);
    if (prefs.length === 0) return 'skip';
    state.write<Preferred[]>(NAME, prefs);
    return 'run';
  },
  score(state, _pod, node) {
    let s = 0;
    for (const p of state.read<Preferred[]>(NAME)) if (termMatches(p.preference, node)) s += p.weight;
    return s;
  },
  normalize: (_state, scores, n) => defaultNormalize(scores, n, false),
};
