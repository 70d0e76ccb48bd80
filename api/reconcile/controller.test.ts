import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from '../metrics.js';
import { ItemExponentialFailureRateLimiter } from '../workqueue/rate-limiters.js';
import { RateLimitingQueue } from '../workqueue/rate-limiting-queue.js';
import { runController } from './controller.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('runController', () => {
  it('retries a failing key with growing backoff, then forgets it on success', async () => {
    const queue = new RateLimitingQueue<string>(new ItemExponentialFailureRateLimiter<string>(20, 10_000));
    const registry = new Registry();
    const calls: number[] = [];
    let failures = 3;
    const ctl = runController({
      name: 'test',
      queue,
      workers: 2,
      logger,
      registry,
      reconcile: async () => {
        calls.push(performance.now());
        if (failures-- > 0) {
          if (failures % 2 === 0) throw new Error('boom'); // a thrown error
          return Promise.reject(new Error('rejected')); // and a rejected promise
        }
      },
    });
    queue.add('ns/a');
    await until(() => calls.length === 4);
    await sleep(20);
    expect(calls.length).toBe(4);
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    // 20 ms, 40 ms, 80 ms of backoff (timers may fire a little early/late)
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(75);
    expect(queue.numRequeues('ns/a')).toBe(0);
    expect(registry.counter('controller_runtime_reconcile_errors_total', '').get({ controller: 'test' })).toBe(3);
    expect(registry.histogram('controller_runtime_reconcile_time_seconds', '').get({ controller: 'test' }).count).toBe(4);
    expect(registry.render()).toContain('controller_runtime_reconcile_total{controller="test",result="success"} 1');
    expect(registry.render()).toContain('workqueue_depth{name="test"} 0');
    await ctl.stop();
  });

  it('requeueAfter brings the key back after the delay', async () => {
    const queue = new RateLimitingQueue<string>();
    const seen: number[] = [];
    const ctl = runController({
      name: 'after',
      queue,
      workers: 1,
      logger,
      registry: new Registry(),
      reconcile: async () => {
        seen.push(performance.now());
        return seen.length < 2 ? { requeueAfter: 50 } : undefined;
      },
    });
    queue.add('k');
    await until(() => seen.length === 2);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(45);
    await ctl.stop();
  });

  it('never runs one key in two workers, and stop() waits for in-flight work', async () => {
    const queue = new RateLimitingQueue<string>();
    const active = new Set<string>();
    let overlaps = 0;
    let finished = 0;
    const ctl = runController({
      name: 'conc',
      queue,
      workers: 4,
      logger,
      registry: new Registry(),
      reconcile: async (key) => {
        if (active.has(key)) overlaps++;
        active.add(key);
        await sleep(5);
        active.delete(key);
        finished++;
      },
    });
    for (let i = 0; i < 50; i++) {
      queue.add(`k${i % 3}`);
      await sleep(1);
    }
    await ctl.stop();
    expect(overlaps).toBe(0);
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(active.size).toBe(0);
  });

  it('stops on its signal without starting the keys still queued', async () => {
    const queue = new RateLimitingQueue<string>();
    const ac = new AbortController();
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ctl = runController({
      name: 'stop',
      queue,
      workers: 1,
      logger,
      registry: new Registry(),
      signal: ac.signal,
      reconcile: async (key) => {
        started.push(key);
        await gate;
      },
    });
    for (const k of ['a', 'b', 'c']) queue.add(k);
    await until(() => started.length === 1);
    ac.abort();
    let finished = false;
    void ctl.done.then(() => (finished = true));
    await sleep(20);
    expect(finished).toBe(false); // 'a' is still in flight
    release();
    await ctl.done;
    expect(started).toEqual(['a']);
  });

  it('keeps the queue depth gauge current', async () => {
    const queue = new RateLimitingQueue<string>();
    const registry = new Registry();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ctl = runController({ name: 'depth', queue, workers: 1, logger, registry, reconcile: () => gate });
    for (const k of ['a', 'b', 'c', 'd']) queue.add(k);
    await sleep(10);
    expect(registry.gauge('workqueue_depth', '').get({ name: 'depth' })).toBe(3);
    release();
    await until(() => queue.len() === 0);
    expect(registry.gauge('workqueue_depth', '').get({ name: 'depth' })).toBe(0);
    await ctl.stop();
  });
});
