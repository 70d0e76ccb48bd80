/** Labels and annotations the kubelet puts on CRI sandboxes and containers, as the real kubelet names them. */
export const POD_NAME = 'io.kubernetes.pod.name';
export const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const POD_UID = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME = 'io.kubernetes.container.name';
/** Annotations: the spec hash and restart count of a container, so a restarted kubelet can adopt it. */
export const CONTAINER_HASH = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const CONTAINER_TERMINATION_GRACE = 'io.kubernetes.pod.terminationGracePeriod';
/** "init" or "app". */
export const CONTAINER_KIND = 'io.tkube.container.kind';
