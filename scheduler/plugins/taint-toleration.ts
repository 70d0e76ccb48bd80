/**
 * TaintToleration. Filter: a node with a NoSchedule/NoExecute taint the pod does not
 * tolerate is out. Score: fewer untolerated PreferNoSchedule taints is better
 * (normalised in reverse: the node with the most gets 0).
 */
import type { Toleration } from '../../api/types/affinity.js';
import { defaultNormalize, failure, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { tolerated } from './tolerations.js';

const NAME = 'TaintToleration';

export const taintTolerationFilter: FilterPlugin = {
  name: NAME,
  filter(_state, pod, node) {
    const taints = node.hardTaints;
    if (taints.length === 0) return null;
    const tolerations = pod.pod.spec.tolerations ?? [];
    for (const taint of taints) {
      if (!tolerated(tolerations, taint)) return failure(NAME, true, `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    }
    return null;
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: NAME,
  preScore(state, pod) {
    // Only tolerations that can apply to PreferNoSchedule count here.
    const prefer = (pod.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(NAME, prefer);
    return 'run';
  },
  score(state, _pod, node) {
    if (node.softTaints.length === 0) return 0;
    const prefer = state.read<Toleration[]>(NAME);
    let n = 0;
    for (const taint of node.softTaints) if (!tolerated(prefer, taint)) n++;
    return n;
  },
  normalize: (_state, scores, n) => defaultNormalize(scores, n, true),
};
