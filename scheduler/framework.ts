/**
 * The plugin contract, after kube-scheduler's framework: a plugin may prepare per-pod
 * state (preFilter / preScore), filter nodes, score feasible nodes and normalise its
 * scores to 0..MAX_NODE_SCORE. The algorithm multiplies each plugin's normalised score
 * by the plugin's weight and sums them.
 */
import type { SchedulerCache } from './cache.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

export const MAX_NODE_SCORE = 100;

/** Why a node does not fit. Unresolvable failures cannot be fixed by preempting pods. */
export interface FilterFailure {
  plugin: string;
  reasons: readonly string[];
  unresolvable: boolean;
}

export function failure(plugin: string, unresolvable: boolean, ...reasons: string[]): FilterFailure {
  return { plugin, reasons, unresolvable };
}

/** Per scheduling cycle scratch space, one slot per plugin. */
export class CycleState {
  private readonly slots = new Map<string, unknown>();
  write<T>(key: string, value: T): void {
    this.slots.set(key, value);
  }
  read<T>(key: string): T {
    return this.slots.get(key) as T;
  }
}

/** What preFilter/preScore answer: run the plugin, skip it for this pod, or (preFilter) fail every node. */
export type PrepareResult = 'run' | 'skip' | FilterFailure;

export interface FilterPlugin {
  readonly name: string;
  preFilter?(state: CycleState, pod: PodInfo, cache: SchedulerCache): PrepareResult;
  /** null when the node fits. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): FilterFailure | null;
}

export interface ScorePlugin {
  readonly name: string;
  /** feasible[0..count) are the nodes that passed the filters (the array may be longer: it is reused). */
  preScore?(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[], count: number, cache: SchedulerCache): 'run' | 'skip';
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites scores[0..n) in place to 0..MAX_NODE_SCORE. */
  normalize?(state: CycleState, scores: Float64Array, n: number): void;
}

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export interface Profile {
  filters: FilterPlugin[];
  scores: WeightedScorePlugin[];
}

/**
 * kube-scheduler's DefaultNormalizeScore: scales so the highest score becomes
 * MAX_NODE_SCORE (reversed: the highest becomes 0). All zero stays zero (or all max when reversed).
 */
export function defaultNormalize(scores: Float64Array, n: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < n; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE, 0, n);
    return;
  }
  for (let i = 0; i < n; i++) {
    const s = Math.floor((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
