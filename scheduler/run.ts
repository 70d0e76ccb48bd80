/**
 * A scheduler process: informers, the scheduler, and (optionally) leader election on
 * the Lease kube-system/kube-scheduler so that of several replicas only the leader
 * schedules. Like kube-scheduler, losing the lease ends the run (the process exits and
 * is restarted by its supervisor); standbys keep their caches warm meanwhile.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import { SharedInformerFactory } from '../api/informer/factory.js';
import { LeaderElector } from '../api/leader/leader-election.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';

export interface LeaderElectionConfig {
  enabled: boolean;
  namespace?: string;
  name?: string;
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
}

export interface RunSchedulerOptions extends Omit<SchedulerOptions, 'informers'> {
  leaderElection?: LeaderElectionConfig;
  /** Called with the scheduler once built (tests and benchmarks read its stats). */
  onReady?: (s: Scheduler) => void;
}

export type RunOutcome = 'stopped' | 'lost-leadership';

export async function runScheduler(opts: RunSchedulerOptions, signal: AbortSignal): Promise<RunOutcome> {
  const log: Logger = opts.logger ?? pino({ level: 'silent' });
  const informers = new SharedInformerFactory(opts.client, { logger: log });
  const scheduler = new Scheduler({ ...opts, informers });
  opts.onReady?.(scheduler);
  informers.start();
  try {
    if (!(await informers.waitForCacheSync(signal))) return 'stopped';
    const le = opts.leaderElection;
    if (!le?.enabled) {
      await scheduler.run(signal);
      return 'stopped';
    }
    const elector = new LeaderElector({
      client: opts.client,
      namespace: le.namespace ?? 'kube-system',
      name: le.name ?? 'kube-scheduler',
      identity: le.identity ?? `${hostname()}_${randomUUID()}`,
      leaseDurationSeconds: le.leaseDurationSeconds,
      renewDeadlineSeconds: le.renewDeadlineSeconds,
      retryPeriodSeconds: le.retryPeriodSeconds,
      logger: log,
      callbacks: {
        onStartedLeading: (leading) => scheduler.run(leading),
        onNewLeader: (id) => log.info({ leader: id }, 'new leader'),
      },
    });
    await elector.run(signal);
    return signal.aborted ? 'stopped' : 'lost-leadership';
  } finally {
    await informers.shutdown();
  }
}

export type { KubeClient };
