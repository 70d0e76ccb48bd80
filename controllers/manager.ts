/**
 * The controller-manager: one client, one shared informer factory, and every selected
 * controller running on them — only while this process holds the leader Lease
 * kube-system/kube-controller-manager, so that of several replicas exactly one acts.
 *
 * Losing the lease aborts the controllers' signal; `done` then resolves with
 * 'lost-leadership' and the process exits, as kube-controller-manager does (a restart
 * campaigns afresh with empty caches and expectations, which is the safe way back).
 * A /metrics and /healthz endpoint serves the Prometheus registry.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import { EventRecorder } from '../api/events/recorder.js';
import { SharedInformerFactory } from '../api/informer/factory.js';
import { LeaderElector } from '../api/leader/leader-election.js';
import { registry as defaultRegistry, type Registry } from '../api/metrics.js';
import { leases as leasesDef } from '../api/registry.js';
import type { ControllerFactory } from './controller.js';
import { CONTROLLERS } from './registry.js';

/** Workers per controller unless told otherwise (kube-controller-manager's --concurrent-*-syncs defaults). */
const DEFAULT_WORKERS: Record<string, number> = { garbagecollector: 20, namespace: 10 };
const FALLBACK_WORKERS = 5;

export interface LeaderElectionConfig {
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  namespace: string;
  name: string;
}

export const defaultLeaderElection: LeaderElectionConfig = {
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
  namespace: 'kube-system',
  name: 'kube-controller-manager',
};

export interface ControllerManagerOptions {
  client: KubeClient;
  logger: Logger;
  /** As --controllers: '*' (all), 'name' (enable), '-name' (disable). Default ['*']. */
  controllers?: string[];
  /** Workers per controller name. */
  workers?: Record<string, number>;
  /** Default true. */
  leaderElect?: boolean;
  leaderElection?: Partial<LeaderElectionConfig>;
  /** Holder identity in the Lease (default "<hostname>_<uuid>", as Kubernetes). */
  identity?: string;
  /** Port of /metrics and /healthz; undefined = no endpoint, 0 = any free port. */
  metricsPort?: number;
  metricsHost?: string;
  /** Informer resync period (default 12 hours, kube-controller-manager's --min-resync-period). */
  resyncPeriodMs?: number;
  /** The controllers to choose from (default: the registry). */
  available?: Record<string, ControllerFactory>;
  metricsRegistry?: Registry;
  /**
   * Clear the lease holder on stop so a standby takes over at once (default true).
   * false behaves like a crashed process: the standby waits for the lease to expire.
   */
  releaseLeaseOnStop?: boolean;
}

export type StopReason = 'stopped' | 'lost-leadership';

export interface ControllerManager {
  readonly identity: string;
  /** Names of the controllers this manager runs while leading. */
  readonly controllers: string[];
  /** "http://host:port" of the metrics endpoint, if serving one. */
  readonly metricsUrl: string | undefined;
  isLeader(): boolean;
  /** Resolves when the manager stopped: asked to, or it lost the lease. */
  readonly done: Promise<StopReason>;
  stop(): Promise<void>;
}

/**
 * Resolves --controllers against the available names, as kube-controller-manager:
 * '*' turns on everything, 'foo' turns foo on, '-foo' turns it off ('-foo' wins).
 * Names may also be given with a '-controller' suffix ("replicaset-controller").
 */
export function selectControllers(requested: string[], available: string[]): string[] {
  const canonical = (name: string) => {
    const bare = name.endsWith('-controller') ? name.slice(0, -'-controller'.length) : name;
    if (!available.includes(bare)) throw new Error(`"${name}" is not in the list of known controllers (${available.join(', ')})`);
    return bare;
  };
  const on = new Set<string>();
  const off = new Set<string>();
  let all = false;
  for (const raw of requested.map((s) => s.trim()).filter(Boolean)) {
    if (raw === '*') all = true;
    else if (raw.startsWith('-')) off.add(canonical(raw.slice(1)));
    else on.add(canonical(raw));
  }
  return available.filter((n) => !off.has(n) && (all || on.has(n)));
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManager> {
  const available = opts.available ?? CONTROLLERS;
  const selected = selectControllers(opts.controllers ?? ['*'], Object.keys(available));
  const identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
  const log = opts.logger.child({ identity });
  const metrics = opts.metricsRegistry ?? defaultRegistry;
  const leaderGauge = metrics.gauge('leader_election_master_status', 'Whether this process is the leader (1) or not (0).');
  const le = { ...defaultLeaderElection, ...opts.leaderElection };
  const stopper = new AbortController();
  let leading = false;

  /** Runs every selected controller until `signal` aborts; one informer factory per term. */
  async function runControllers(signal: AbortSignal): Promise<void> {
    // Every controller, worker pool and informer wait listens on this one signal.
    setMaxListeners(0, signal);
    const informers = new SharedInformerFactory(opts.client, { logger: log, resyncPeriodMs: opts.resyncPeriodMs ?? 12 * 3_600_000 });
    const recorders: EventRecorder[] = [];
    const deps = {
      client: opts.client,
      informers,
      logger: log,
      recorder: (component: string) => {
        const r = new EventRecorder({ client: opts.client, component, logger: log });
        recorders.push(r);
        return r;
      },
    };
    const controllers = selected.map((name) => available[name]!(deps));
    informers.start();
    log.info({ controllers: selected }, 'starting controllers');
    await Promise.all(
      controllers.map((c) =>
        c.run(signal, opts.workers?.[c.name] ?? DEFAULT_WORKERS[c.name] ?? FALLBACK_WORKERS).catch((err: unknown) => {
          log.error({ err, controller: c.name }, 'controller failed');
        }),
      ),
    );
    await informers.shutdown();
    await Promise.all(recorders.map((r) => r.close()));
    log.info('controllers stopped');
  }

  const server = opts.metricsPort === undefined ? undefined : await serveMetrics(metrics, opts.metricsPort, opts.metricsHost ?? '127.0.0.1');
  const metricsUrl = server ? `http://${opts.metricsHost ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}` : undefined;

  const done: Promise<StopReason> = (async () => {
    if (opts.leaderElect === false) {
      leading = true;
      await runControllers(stopper.signal);
      leading = false;
      return 'stopped';
    }
    let work: Promise<void> | undefined;
    const elector = new LeaderElector({
      client: opts.client,
      namespace: le.namespace,
      name: le.name,
      identity,
      leaseDurationSeconds: le.leaseDurationSeconds,
      renewDeadlineSeconds: le.renewDeadlineSeconds,
      retryPeriodSeconds: le.retryPeriodSeconds,
      releaseOnCancel: opts.releaseLeaseOnStop ?? true,
      logger: log,
      callbacks: {
        onStartedLeading: (signal) => {
          leading = true;
          leaderGauge.set({ name: le.name }, 1);
          void recordLeaderEvent();
          work = runControllers(signal);
          return work;
        },
        onStoppedLeading: () => {
          leading = false;
          leaderGauge.set({ name: le.name }, 0);
        },
        onNewLeader: (holder) => {
          if (holder !== identity) log.info({ leader: holder }, 'new leader elected');
        },
      },
    });
    /** As Kubernetes: a LeaderElection event on the Lease, "<identity> became leader". */
    async function recordLeaderEvent(): Promise<void> {
      const recorder = new EventRecorder({ client: opts.client, component: le.name, logger: log });
      try {
        const lease = await opts.client.resource(leasesDef, le.namespace).get(le.name);
        recorder.event(lease, 'Normal', 'LeaderElection', `${identity} became leader`);
        await recorder.close();
      } catch (err) {
        log.debug({ err: String(err) }, 'could not record the LeaderElection event');
      }
    }

    leaderGauge.set({ name: le.name }, 0);
    await elector.run(stopper.signal);
    await work;
    if (stopper.signal.aborted) return 'stopped';
    log.error('leaderelection lost');
    return 'lost-leadership';
  })().finally(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  return {
    identity,
    controllers: selected,
    metricsUrl,
    isLeader: () => leading,
    done,
    async stop() {
      stopper.abort();
      await done;
    },
  };
}

function serveMetrics(metrics: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
    } else if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
