/**
 * Expectations, as Kubernetes' ControllerExpectations / UIDTrackingControllerExpectations.
 *
 * The informer cache lags behind the controller's own writes. After creating 3 pods, a
 * reconcile that runs before the cache has seen them would count too few pods and
 * create 3 more. So before writing, the controller records what it expects to observe
 * (3 creations, or the deletion of these pod keys); informer events lower the counts;
 * and a ReplicaSet is only synced again (pods created/deleted) once its expectations are
 * fulfilled — or have expired, in case an event was lost.
 *
 * Deletions are tracked by pod key, not just counted: a pod's deletion can be observed
 * twice (update with deletionTimestamp, then the delete itself), and only the first
 * sighting of a pod we deleted may lower the count.
 */

/** Kubernetes' ExpectationsTimeout: after this, unfulfilled expectations no longer block a sync. */
export const expectationsTimeoutMs = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  setAt: number;
}

export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();
  // Keys (namespace/name) of pods whose deletion the controller is waiting to observe.
  private readonly deletingPods = new Map<string, Set<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Whether the controller of `key` may create/delete pods now: it has no expectations
   * (first sync, or after a restart), they are fulfilled, or they expired.
   */
  satisfied(key: string): boolean {
    const exp = this.byKey.get(key);
    if (!exp) return true;
    if (exp.add <= 0 && exp.del <= 0) return true;
    return this.now() - exp.setAt > expectationsTimeoutMs;
  }

  /** The pending counts (for logs and tests). */
  get(key: string): { add: number; del: number } | undefined {
    const exp = this.byKey.get(key);
    return exp && { add: exp.add, del: exp.del };
  }

  expectCreations(key: string, count: number): void {
    this.byKey.set(key, { add: count, del: 0, setAt: this.now() });
  }

  /** Expects the deletion of these pods (by "namespace/name"). */
  expectDeletions(key: string, podKeys: string[]): void {
    this.deletingPods.set(key, new Set(podKeys));
    this.byKey.set(key, { add: 0, del: podKeys.length, setAt: this.now() });
  }

  /** A pod created by the controller of `key` showed up in the cache (or its creation was skipped). */
  creationObserved(key: string): void {
    const exp = this.byKey.get(key);
    if (exp) exp.add--;
  }

  /** A pod of the controller of `key` is gone or going; counts only if we were waiting for it. */
  deletionObserved(key: string, podKey: string): void {
    const pods = this.deletingPods.get(key);
    if (!pods?.has(podKey)) return;
    pods.delete(podKey);
    const exp = this.byKey.get(key);
    if (exp) exp.del--;
  }

  /** Forgets everything about `key` (its ReplicaSet was deleted). */
  delete(key: string): void {
    this.byKey.delete(key);
    this.deletingPods.delete(key);
  }
}
