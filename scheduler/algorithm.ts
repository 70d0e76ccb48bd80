/**
 * One scheduling decision, as kube-scheduler's schedulePod: prepare the plugins for the
 * pod, filter nodes starting where the previous pod stopped until enough feasible nodes
 * are found (adaptive percentageOfNodesToScore), score the feasible ones, and pick the
 * best (ties broken at random). Synchronous and allocation-light: this is the hot path.
 */
import type { SchedulerCache } from './cache.js';
import { CycleState, type FilterFailure, type Profile, type ScorePlugin } from './framework.js';
import { FitError } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
const BASE_PERCENTAGE = 50;

/** How many feasible nodes are enough (kube-scheduler's adaptive default: 50% − nodes/125, at least 5% and 100 nodes). */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, BASE_PERCENTAGE - Math.floor(numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((numAllNodes * pct) / 100));
}

export interface ScheduleResult {
  nodeName: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export interface AlgorithmOptions {
  percentageOfNodesToScore?: number;
  random?: () => number;
}

export class SchedulingAlgorithm {
  private nextStartNodeIndex = 0;
  private feasible: NodeInfo[] = [];
  private scores = new Float64Array(0);
  private totals = new Float64Array(0);
  private readonly active: { plugin: ScorePlugin; weight: number }[] = [];
  private readonly random: () => number;

  constructor(
    private readonly cache: SchedulerCache,
    private readonly profile: Profile,
    private readonly opts: AlgorithmOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
  }

  /** The chosen node, or throws FitError. */
  schedule(pod: PodInfo): ScheduleResult {
    const nodes = this.cache.nodeList;
    const n = nodes.length;
    if (n === 0) throw new FitError(0, new Map());
    const state = new CycleState();
    const filters = [];
    for (const f of this.profile.filters) {
      const r = f.preFilter ? f.preFilter(state, pod, this.cache) : 'run';
      if (r === 'skip') continue;
      if (r !== 'run') throw new FitError(n, new Map(), r.reasons.join(', '));
      filters.push(f);
    }

    const want = numFeasibleNodesToFind(n, this.opts.percentageOfNodesToScore);
    if (this.feasible.length < n) this.feasible = new Array<NodeInfo>(n);
    const feasible = this.feasible;
    let found = 0;
    let processed = 0;
    let failures: Map<string, FilterFailure> | undefined;
    const start = this.nextStartNodeIndex % n;
    const nf = filters.length;
    for (let k = 0; k < n && found < want; k++) {
      const node = nodes[(start + k) % n]!;
      processed++;
      let failed: FilterFailure | null = null;
      for (let j = 0; j < nf; j++) {
        failed = filters[j]!.filter(state, pod, node);
        if (failed) break;
      }
      if (failed) (failures ??= new Map()).set(node.name, failed);
      else feasible[found++] = node;
    }
    this.nextStartNodeIndex = (start + processed) % n;
    if (found === 0) throw new FitError(n, failures ?? new Map());
    if (found === 1) return { nodeName: feasible[0]!.name, evaluatedNodes: processed, feasibleNodes: 1 };

    const chosen = this.prioritize(state, pod, feasible, found);
    return { nodeName: chosen.name, evaluatedNodes: processed, feasibleNodes: found };
  }

  /** Weighted sum of normalised plugin scores; the best node, ties broken uniformly at random. */
  private prioritize(state: CycleState, pod: PodInfo, feasible: NodeInfo[], n: number): NodeInfo {
    if (this.scores.length < n) {
      this.scores = new Float64Array(n);
      this.totals = new Float64Array(n);
    }
    const scores = this.scores;
    const totals = this.totals;
    totals.fill(0, 0, n);
    this.active.length = 0;
    for (const s of this.profile.scores) {
      if (s.plugin.preScore && s.plugin.preScore(state, pod, feasible, n, this.cache) === 'skip') continue;
      this.active.push(s);
    }
    for (const { plugin, weight } of this.active) {
      for (let i = 0; i < n; i++) scores[i] = plugin.score(state, pod, feasible[i]!);
      plugin.normalize?.(state, scores, n);
      for (let i = 0; i < n; i++) totals[i]! += scores[i]! * weight;
    }
    let best = 0;
    let ties = 1;
    for (let i = 1; i < n; i++) {
      const t = totals[i]!;
      if (t > totals[best]!) {
        best = i;
        ties = 1;
      } else if (t === totals[best]!) {
        // Reservoir sampling: each tied node is kept with equal probability.
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return feasible[best]!;
  }
}

/** Scores of one plugin over nodes, normalised (for tests and diagnostics). */
export function pluginScores(plugin: ScorePlugin, state: CycleState, pod: PodInfo, nodes: NodeInfo[], cache: SchedulerCache): number[] | 'skip' {
  if (plugin.preScore && plugin.preScore(state, pod, nodes, nodes.length, cache) === 'skip') return 'skip';
  const scores = new Float64Array(nodes.length);
  nodes.forEach((node, i) => (scores[i] = plugin.score(state, pod, node)));
  plugin.normalize?.(state, scores, nodes.length);
  return [...scores];
}
