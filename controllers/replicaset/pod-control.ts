/**
 * The ReplicaSet controller's writes to pods, each with the event Kubernetes records:
 * - create: "SuccessfulCreate" / "Created pod: web-abc12", or "FailedCreate" /
 *   "Error creating: <reason>" (not when the namespace is terminating: that is expected);
 * - delete: "SuccessfulDelete" / "Deleted pod: web-abc12", or "FailedDelete";
 * - adopt / release: patch the pod's ownerReferences, guarded by the pod's uid so a pod
 *   deleted and recreated under the same name is never touched by mistake.
 */
import type { KubeClient } from '../../api/client/kube-client.js';
import type { EventRecorder } from '../../api/events/recorder.js';
import { isApiError } from '../../api/meta/errors.js';
import { pods as podsDef } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { controllerRef, podFromTemplate } from './pod-template.js';

/** The cause the apiserver gives when refusing to create in a namespace being deleted. */
export function isNamespaceTerminating(err: unknown): boolean {
  return isApiError(err) && (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export interface PodWriter {
  /** `signal` cancels the request (the controller is stopping). */
  createPod(rs: ReplicaSet, signal?: AbortSignal): Promise<Pod>;
  deletePod(rs: ReplicaSet, pod: Pod, signal?: AbortSignal): Promise<void>;
  adoptPod(rs: ReplicaSet, pod: Pod): Promise<void>;
  releasePod(rs: ReplicaSet, pod: Pod): Promise<void>;
}

export class PodControl implements PodWriter {
  constructor(
    private readonly client: KubeClient,
    private readonly recorder: EventRecorder,
  ) {}

  async createPod(rs: ReplicaSet, signal?: AbortSignal): Promise<Pod> {
    const pod = podFromTemplate(rs);
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.client.resource(podsDef, rs.metadata.namespace).create(pod, { signal });
      this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`);
      return created;
    } catch (err) {
      if (!isNamespaceTerminating(err) && !signal?.aborted) this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  }

  async deletePod(rs: ReplicaSet, pod: Pod, signal?: AbortSignal): Promise<void> {
    const name = pod.metadata.name ?? '';
    try {
      await this.client.resource(podsDef, pod.metadata.namespace).delete(name, { signal });
    } catch (err) {
      if (isApiError(err, 'NotFound') || signal?.aborted) throw err; // already gone, or we are stopping: nothing to report
      this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw new Error(`unable to delete pods: ${errorMessage(err)}`, { cause: err });
    }
    this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  /** Makes rs the pod's controller. metadata.uid in the patch is a precondition (409 if the pod was replaced). */
  async adoptPod(rs: ReplicaSet, pod: Pod): Promise<void> {
    const patch = { metadata: { ownerReferences: [controllerRef(rs)], uid: pod.metadata.uid } };
    await this.client.resource(podsDef, pod.metadata.namespace).patch(pod.metadata.name ?? '', 'strategic', patch);
  }

  /** Removes rs's ownerReference from the pod (the pod becomes an orphan). */
  async releasePod(rs: ReplicaSet, pod: Pod): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: rs.metadata.uid }], uid: pod.metadata.uid } };
    await this.client.resource(podsDef, pod.metadata.namespace).patch(pod.metadata.name ?? '', 'strategic', patch);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
