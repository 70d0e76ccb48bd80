/**
 * What the rollout logic may do to the world. The controller implements it with the API
 * client and informer caches; unit tests implement it in memory. Keeping the writes behind
 * this interface lets sync, rolling, recreate, rollback and progress read as the
 * decisions they are.
 */
import type { Logger } from 'pino';
import type { EventType } from '../../api/events/recorder.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';

export interface DeploymentEnv {
  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** Optimistic-concurrency update (409 Conflict when rs.metadata.resourceVersion is stale). */
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** Deletes; a ReplicaSet already gone is not an error. */
  deleteReplicaSet(rs: ReplicaSet): Promise<void>;
  /** A fresh read of a ReplicaSet (after AlreadyExists on create); undefined when there is none. */
  getReplicaSet(namespace: string, name: string): Promise<ReplicaSet | undefined>;
  /** Updates spec and metadata (rollback). */
  updateDeployment(d: Deployment): Promise<Deployment>;
  /** Writes status and the metadata annotations (the revision) the controller keeps on the Deployment. */
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;
  event(d: Deployment, type: EventType, reason: string, message: string): void;
  now(): Date;
  logger: Logger;
}

/** Writes the deployment's status and keeps `d` at the new resourceVersion for the writes that follow. */
export async function writeStatus(env: DeploymentEnv, d: Deployment): Promise<void> {
  const updated = await env.updateDeploymentStatus(d);
  d.metadata.resourceVersion = updated.metadata.resourceVersion;
}
