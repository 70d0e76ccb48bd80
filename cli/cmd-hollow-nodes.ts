/**
 * `tkube hollow-nodes`: N simulated nodes in this process (the real kubelet on an
 * in-memory CRI), for scale tests of the control plane, until SIGINT/SIGTERM.
 */
import { KubeClient } from '../api/client/kube-client.js';
import { startHollowNodes } from '../kubelet/hollow/hollow-nodes.js';
import { onShutdownSignal } from './cmd-apiserver.js';
import { parseDuration } from './durations.js';
import { componentLogger } from './logger.js';

export interface HollowNodesFlags {
  kubeconfig: string;
  count: number;
  namePrefix: string;
  /** Go-style durations ("100ms"). */
  podStartDelay: string;
  podStopDelay: string;
}

export async function runHollowNodesCommand(flags: HollowNodesFlags): Promise<void> {
  if (!Number.isInteger(flags.count) || flags.count < 1) throw new Error(`--count must be a positive integer, got ${flags.count}`);
  const log = componentLogger('hollow-nodes');
  const client = KubeClient.fromKubeconfig(flags.kubeconfig, undefined, { userAgent: 'tkube-hollow-node' });
  const hollow = await startHollowNodes({
    client,
    count: flags.count,
    namePrefix: flags.namePrefix,
    podStartDelayMs: parseDuration(flags.podStartDelay),
    podStopDelayMs: parseDuration(flags.podStopDelay),
    logger: log,
  });
  log.info({ count: hollow.nodes.length, first: hollow.nodes[0]?.name }, 'hollow nodes running');
  const sig = await onShutdownSignal();
  log.info({ signal: sig }, 'shutting down');
  await hollow.stop();
  client.close();
  process.exit(0);
}
