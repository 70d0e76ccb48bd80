/** Writing the outcome of a failed attempt: the PodScheduled condition (status subresource). */
import type { KubeClient } from '../api/client/kube-client.js';
import { pods } from '../api/registry.js';
import type { Pod } from '../api/types/pod.js';

export const UNSCHEDULABLE = 'Unschedulable';

/** Whether the pod already carries this PodScheduled=False condition (saves a write). */
export function hasUnschedulableCondition(pod: Pod, reason: string, message: string): boolean {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  return c?.status === 'False' && c.reason === reason && c.message === message;
}

export async function setUnschedulableCondition(client: KubeClient, pod: Pod, reason: string, message: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const patch = {
    status: {
      conditions: [{ type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: now }],
    },
  };
  await client.resource(pods, pod.metadata.namespace).patchStatus(pod.metadata.name!, 'strategic', patch);
}
