/** Shared set-up for plugin table tests: a cache holding nodes and their pods. */
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import { SchedulerCache } from '../cache.js';
import { CycleState, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { newPodInfo } from '../pod-info.js';
import { pluginScores } from '../algorithm.js';

export function cacheWith(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addOrUpdateNode(n);
  for (const p of pods) cache.addOrUpdatePod(newPodInfo(p), p.spec.nodeName!);
  return cache;
}

/** node name → first failure reason ('' when it fits); 'skip' when preFilter skips the plugin. */
export function runFilter(plugin: FilterPlugin, pod: Pod, nodes: Node[], pods: Pod[] = []): Record<string, string> | 'skip' {
  const cache = cacheWith(nodes, pods);
  const info = newPodInfo(pod);
  const state = new CycleState();
  const pre = plugin.preFilter ? plugin.preFilter(state, info, cache) : 'run';
  if (pre === 'skip') return 'skip';
  const out: Record<string, string> = {};
  for (const node of cache.nodeList) {
    const f = pre === 'run' ? plugin.filter(state, info, node) : pre;
    out[node.name] = f ? f.reasons.join('; ') : '';
  }
  return out;
}

export function runScore(plugin: ScorePlugin, pod: Pod, nodes: Node[], pods: Pod[] = []): Record<string, number> | 'skip' {
  const cache = cacheWith(nodes, pods);
  const scores = pluginScores(plugin, new CycleState(), newPodInfo(pod), cache.nodeList, cache);
  if (scores === 'skip') return 'skip';
  return Object.fromEntries(cache.nodeList.map((n, i) => [n.name, scores[i]!]));
}
