/** NodeName: a pod that names a node (spec.nodeName set before scheduling) fits only there. */
import { failure, type FilterPlugin } from '../framework.js';

const NAME = 'NodeName';
const FAIL = failure(NAME, true, "node(s) didn't match the requested node name");

export const nodeName: FilterPlugin = {
  name: NAME,
  preFilter: (_state, pod) => (pod.pod.spec.nodeName ? 'run' : 'skip'),
  filter: (_state, pod, node) => (node.name === pod.pod.spec.nodeName ? null : FAIL),
};
