/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection:
 * - a candidate takes the lease when it does not exist, is free (no holder), or its
 *   holder has not renewed it for leaseDuration as observed on *our* clock (so clock skew
 *   between machines does not matter);
 * - every write carries the resourceVersion read just before, so of two candidates
 *   racing, the apiserver lets exactly one win (409 Conflict for the other);
 * - the leader renews every retryPeriod; if it cannot renew for renewDeadline it stops
 *   leading: the signal given to onStartedLeading aborts, then onStoppedLeading runs;
 * - on shutdown the leader releases the lease (holder cleared) so a standby takes over
 *   at once instead of waiting out the lease (client-go's ReleaseOnCancel).
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { sleep } from '../client/backoff.js';
import type { KubeClient, ResourceClient } from '../client/kube-client.js';
import { isApiError } from '../meta/errors.js';
import { leasesRef, microTime, type Lease, type LeaseSpec } from './lease.js';

export interface LeaderCallbacks {
  /** Called once leading; `signal` aborts when leadership is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** Called when the observed leader changes (including to ourselves). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  logger?: Logger;
}

const jitterFactor = 1.2;

export class LeaderElector {
  private readonly leases: ResourceClient<Lease>;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private observed: Lease | undefined;
  private observedRecord = '';
  private observedAt = 0;
  private reportedLeader = '';
  private leading = false;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.leases = opts.client.resource<Lease>(leasesRef, opts.namespace);
    this.leaseDurationMs = (opts.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadlineMs = (opts.renewDeadlineSeconds ?? 10) * 1000;
    this.retryPeriodMs = (opts.retryPeriodSeconds ?? 2) * 1000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= jitterFactor * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    if (!opts.identity) throw new Error('leader election needs an identity');
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder of the lease as last observed ('' if none). */
  getLeader(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  /**
   * Campaigns until leading, leads until the lease is lost or `signal` aborts, then
   * returns. onStartedLeading's work should watch its signal and wind down.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leadership = new AbortController();
    this.leading = true;
    this.log.info('became leader');
    // The leader's work runs alongside renewal; it must stop when its signal aborts.
    void Promise.resolve()
      .then(() => this.opts.callbacks.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.log.error({ err }, 'onStartedLeading failed'));
    try {
      await this.renewLoop(signal);
    } finally {
      this.leading = false;
      leadership.abort(new Error('leadership lost'));
      if (signal.aborted && (this.opts.releaseOnCancel ?? true)) await this.release();
      this.log.info('stopped leading');
      try {
        this.opts.callbacks.onStoppedLeading?.();
      } catch (err) {
        this.log.error({ err }, 'onStoppedLeading failed');
      }
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.debug('attempting to acquire lease');
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      try {
        await sleep(this.retryPeriodMs * (1 + Math.random() * (jitterFactor - 1)), signal);
      } catch {
        return false;
      }
    }
    return false;
  }

  /** Renews every retryPeriod; returns when renewing failed for renewDeadline or on abort. */
  private async renewLoop(signal: AbortSignal): Promise<void> {
    let lastRenew = performance.now();
    while (!signal.aborted) {
      try {
        await sleep(this.retryPeriodMs, signal);
      } catch {
        return;
      }
      const remaining = this.renewDeadlineMs - (performance.now() - lastRenew);
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, Math.ceil(remaining)))]);
      if (await this.tryAcquireOrRenew(attempt)) {
        lastRenew = performance.now();
        continue;
      }
      if (signal.aborted) return;
      if (performance.now() - lastRenew >= this.renewDeadlineMs) {
        this.log.warn('failed to renew lease within the renew deadline');
        return;
      }
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = new Date();
    const me = this.opts.identity;
    const desired: LeaseSpec = {
      holderIdentity: me,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let current: Lease;
    try {
      current = await this.leases.get(this.opts.name, { signal });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) {
        this.log.debug({ err: String(err) }, 'reading lease failed');
        return false;
      }
      try {
        const created = await this.leases.create(
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec: desired },
          { signal },
        );
        this.observe(created);
        return true;
      } catch (createErr) {
        this.log.debug({ err: String(createErr) }, 'creating lease failed');
        return false;
      }
    }

    this.observe(current);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== me;
    const expiresAt = this.observedAt + (spec.leaseDurationSeconds ?? 0) * 1000;
    if (heldByOther && performance.now() < expiresAt) return false;

    if (holder === me) {
      desired.acquireTime = spec.acquireTime ?? desired.acquireTime;
      desired.leaseTransitions = spec.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await this.leases.update({ ...current, spec: desired }, { signal });
      this.observe(updated);
      return true;
    } catch (err) {
      // 409: someone else wrote the lease since we read it; they win this round.
      this.log.debug({ err: String(err) }, 'updating lease failed');
      return false;
    }
  }

  /**
   * Clears the holder so a standby need not wait out the lease. Reads the lease afresh
   * first: a renew aborted by the shutdown may still have landed on the server.
   */
  private async release(): Promise<void> {
    const signal = AbortSignal.timeout(this.renewDeadlineMs);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = await this.leases.get(this.opts.name, { signal });
        if (lease.spec?.holderIdentity !== this.opts.identity) return;
        const now = microTime();
        const released = await this.leases.update(
          { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } },
          { signal },
        );
        this.observe(released);
        this.log.info('released lease');
        return;
      } catch (err) {
        if (!isApiError(err, 'Conflict')) {
          this.log.warn({ err: String(err) }, 'releasing lease failed');
          return;
        }
      }
    }
  }

  /** Records what we saw and when (on our clock) we first saw it. */
  private observe(lease: Lease): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = performance.now();
    }
    this.observed = lease;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      try {
        this.opts.callbacks.onNewLeader?.(holder);
      } catch (err) {
        this.log.error({ err }, 'onNewLeader failed');
      }
    }
  }
}
