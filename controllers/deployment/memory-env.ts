/**
 * An in-memory DeploymentEnv for unit tests: ReplicaSets and the Deployment live in maps,
 * writes bump a resourceVersion (and 409 on a stale one, as the apiserver would), events
 * are collected. `settle` plays the ReplicaSet controller: status follows spec, with as
 * many available replicas as the test says.
 */
import { pino } from 'pino';
import { ApiError } from '../../api/meta/errors.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import type { DeploymentEnv } from './env.js';

export interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
}

export class MemoryEnv implements DeploymentEnv {
  readonly replicaSets = new Map<string, ReplicaSet>();
  readonly events: RecordedEvent[] = [];
  deployment: Deployment | undefined;
  readonly logger = pino({ level: 'silent' });
  private rv = 100;
  private uid = 0;
  private clock: Date;

  constructor(start = new Date('2026-01-01T00:00:00Z')) {
    this.clock = start;
  }

  now(): Date {
    return this.clock;
  }

  advance(ms: number): void {
    this.clock = new Date(this.clock.getTime() + ms);
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  async createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const name = rs.metadata.name ?? '';
    if (this.replicaSets.has(name)) throw new ApiError(409, 'AlreadyExists', `replicasets.apps "${name}" already exists`);
    const stored = structuredClone(rs);
    stored.metadata.uid = `rs-uid-${++this.uid}`;
    stored.metadata.resourceVersion = this.nextRv();
    stored.metadata.generation = 1;
    // One second apart, so "older" is well defined.
    stored.metadata.creationTimestamp = new Date(this.clock.getTime() + this.uid * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    stored.status = { replicas: 0, observedGeneration: 1 };
    this.replicaSets.set(name, stored);
    return structuredClone(stored);
  }

  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const cur = this.replicaSets.get(rs.metadata.name ?? '');
    if (!cur) throw new ApiError(404, 'NotFound', 'not found');
    if (rs.metadata.resourceVersion !== cur.metadata.resourceVersion) throw new ApiError(409, 'Conflict', 'stale');
    const stored = structuredClone(rs);
    stored.status = cur.status;
    stored.metadata.resourceVersion = this.nextRv();
    stored.metadata.generation = (cur.metadata.generation ?? 1) + (cur.spec.replicas !== rs.spec.replicas ? 1 : 0);
    this.replicaSets.set(rs.metadata.name ?? '', stored);
    return structuredClone(stored);
  }

  async deleteReplicaSet(rs: ReplicaSet): Promise<void> {
    this.replicaSets.delete(rs.metadata.name ?? '');
  }

  async getReplicaSet(_ns: string, name: string): Promise<ReplicaSet | undefined> {
    const rs = this.replicaSets.get(name);
    return rs && structuredClone(rs);
  }

  async updateDeployment(d: Deployment): Promise<Deployment> {
    this.deployment = { ...structuredClone(d), metadata: { ...structuredClone(d.metadata), resourceVersion: this.nextRv() } };
    return structuredClone(this.deployment);
  }

  async updateDeploymentStatus(d: Deployment): Promise<Deployment> {
    return this.updateDeployment(d);
  }

  event(_d: Deployment, type: string, reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  /** Plays the ReplicaSet controller: every status follows its spec; `available(rs)` decides availability. */
  settle(available: (rs: ReplicaSet) => number = (rs) => rs.spec.replicas): void {
    for (const rs of this.replicaSets.values()) {
      const a = Math.min(rs.spec.replicas, available(rs));
      rs.status = { replicas: rs.spec.replicas, readyReplicas: a, availableReplicas: a, observedGeneration: rs.metadata.generation };
      rs.metadata.resourceVersion = this.nextRv();
    }
  }

  list(): ReplicaSet[] {
    return [...this.replicaSets.values()].map((rs) => structuredClone(rs));
  }
}

/** A Deployment as the apiserver would store it (defaults applied). */
export function testDeployment(opts: {
  name?: string;
  replicas: number;
  image?: string;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  strategy?: 'RollingUpdate' | 'Recreate';
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
}): Deployment {
  const name = opts.name ?? 'web';
  const type = opts.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: opts.image ?? 'nginx:1' }] },
      },
      strategy:
        type === 'Recreate'
          ? { type }
          : { type, rollingUpdate: { maxSurge: opts.maxSurge ?? '25%', maxUnavailable: opts.maxUnavailable ?? '25%' } },
      revisionHistoryLimit: opts.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: opts.progressDeadlineSeconds ?? 600,
    },
  } as unknown as Deployment;
}
