/** NodePorts: a host port (protocol, IP, port) can be taken once per node; 0.0.0.0 clashes with every IP. */
import type { HostPort } from '../pod-info.js';
import { failure, type FilterPlugin } from '../framework.js';

const NAME = 'NodePorts';
const FAIL = failure(NAME, false, "node(s) didn't have free ports for the requested pod ports");

export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0';
}

export const nodePorts: FilterPlugin = {
  name: NAME,
  preFilter: (_state, pod) => (pod.hostPorts.length > 0 ? 'run' : 'skip'),
  filter(_state, pod, node) {
    for (const want of pod.hostPorts) for (const used of node.usedPorts) if (portsConflict(want, used)) return FAIL;
    return null;
  },
};
