/** NodeUnschedulable: a cordoned node takes only pods that tolerate node.kubernetes.io/unschedulable:NoSchedule. */
import { failure, type FilterPlugin } from '../framework.js';
import { tolerated } from './tolerations.js';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' as const };
const NAME = 'NodeUnschedulable';
const FAIL = failure(NAME, true, 'node(s) were unschedulable');

export const nodeUnschedulable: FilterPlugin = {
  name: NAME,
  filter(_state, pod, node) {
    if (!node.unschedulable) return null;
    return tolerated(pod.pod.spec.tolerations ?? [], UNSCHEDULABLE_TAINT) ? null : FAIL;
  },
};
