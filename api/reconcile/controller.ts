/**
 * The reconciler runtime of controller-runtime: N workers take keys from a rate-limited
 * work queue and call reconcile(key). The outcome decides what happens to the key:
 * - success: forget its backoff;
 * - { requeueAfter }: forget the backoff and come back after that delay;
 * - { requeue: true }: come back with rate-limited backoff;
 * - an exception or rejected promise: log it, count it, retry with backoff.
 * Nothing a reconcile does can stop a worker or kill the process.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { registry as defaultRegistry, type Registry } from '../metrics.js';
import type { RateLimitingQueue } from '../workqueue/rate-limiting-queue.js';

export interface ReconcileResult {
  requeueAfter?: number; // milliseconds
  requeue?: boolean;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface ControllerOptions {
  name: string;
  queue: RateLimitingQueue<string>;
  workers: number;
  reconcile: Reconcile;
  logger: Logger;
  registry?: Registry;
  /** Stops the controller when aborted (e.g. the signal leader election hands out). */
  signal?: AbortSignal;
}

export interface RunningController {
  /** Resolves once the queue is shut down and every worker has finished its current key. */
  readonly done: Promise<void>;
  /**
   * Shuts the queue down, lets in-flight reconciles finish, drops keys not yet started
   * (level-triggered: whoever runs next relists and requeues them), and resolves when
   * every worker has exited.
   */
  stop(): Promise<void>;
}

function controllerMetrics(registry: Registry) {
  return {
    depth: registry.gauge('workqueue_depth', 'Current depth of the work queue.'),
    duration: registry.histogram(
      'controller_runtime_reconcile_time_seconds',
      'Length of time per reconciliation per controller.',
    ),
    total: registry.counter('controller_runtime_reconcile_total', 'Total number of reconciliations per controller and result.'),
    errors: registry.counter('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller.'),
    requeues: registry.counter('workqueue_retries_total', 'Total number of rate-limited retries handled by the work queue.'),
  };
}

/** A short random id that ties together the log lines of one reconcile. */
function reconcileId(): string {
  return randomBytes(4).toString('hex');
}

export function runController(opts: ControllerOptions): RunningController {
  const { name, queue, reconcile } = opts;
  const m = controllerMetrics(opts.registry ?? defaultRegistry);
  const log = opts.logger.child({ controller: name });
  const labels = { controller: name };
  const unsubscribe = queue.onDepthChange((depth) => m.depth.set({ name }, depth));
  m.depth.set({ name }, queue.len());

  async function processOne(key: string): Promise<void> {
    const rid = reconcileId();
    const klog = log.child({ key, reconcileID: rid });
    const start = performance.now();
    let result: ReconcileResult | void;
    try {
      klog.debug('reconcile start');
      result = await reconcile(key);
    } catch (err) {
      m.duration.observe(labels, (performance.now() - start) / 1000);
      m.errors.inc(labels);
      m.total.inc({ ...labels, result: 'error' });
      m.requeues.inc({ name });
      klog.error({ err, requeues: queue.numRequeues(key) }, 'reconcile failed; requeued with backoff');
      queue.addRateLimited(key);
      return;
    }
    m.duration.observe(labels, (performance.now() - start) / 1000);
    if (result && result.requeueAfter !== undefined && result.requeueAfter > 0) {
      m.total.inc({ ...labels, result: 'requeue_after' });
      queue.forget(key);
      queue.addAfter(key, result.requeueAfter);
      klog.debug({ requeueAfter: result.requeueAfter }, 'reconcile done; requeue after delay');
    } else if (result?.requeue) {
      m.total.inc({ ...labels, result: 'requeue' });
      m.requeues.inc({ name });
      queue.addRateLimited(key);
      klog.debug('reconcile done; requeue with backoff');
    } else {
      m.total.inc({ ...labels, result: 'success' });
      queue.forget(key);
      klog.debug('reconcile done');
    }
  }

  let stopping = false;

  async function worker(): Promise<void> {
    for (;;) {
      const got = await queue.get();
      if (got.shutdown) return;
      if (stopping) {
        queue.done(got.item);
        continue;
      }
      try {
        await processOne(got.item);
      } catch (err) {
        // Only a bug in logging/metrics could land here; keep the worker alive anyway.
        log.error({ err, key: got.item }, 'unexpected error in worker');
      } finally {
        queue.done(got.item);
      }
    }
  }

  const workers = Math.max(1, opts.workers);
  log.info({ workers }, 'starting workers');
  const done = Promise.all(Array.from({ length: workers }, () => worker())).then(() => {
    unsubscribe();
    log.info('workers stopped');
  });
  const stop = async () => {
    stopping = true;
    await queue.shutDownWithDrain();
    await done;
  };
  opts.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (opts.signal?.aborted) void stop();
  return { done, stop };
}
