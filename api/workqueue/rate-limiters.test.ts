import { describe, expect, it } from 'vitest';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiters.js';
import { RateLimitingQueue } from './rate-limiting-queue.js';
import { TokenBucket } from './token-bucket.js';

describe('rate limiters', () => {
  it('grows the per-item backoff exponentially from 5 ms up to the cap', () => {
    const l = new ItemExponentialFailureRateLimiter<string>(5, 1000_000);
    expect([l.when('a'), l.when('a'), l.when('a'), l.when('a')]).toEqual([5, 10, 20, 40]);
    expect(l.when('b')).toBe(5);
    expect(l.numRequeues('a')).toBe(4);
    for (let i = 0; i < 100; i++) l.when('a');
    expect(l.when('a')).toBe(1000_000);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
    expect(l.when('a')).toBe(5);
  });

  it('the bucket allows a burst, then spaces requests at 1/qps', () => {
    let now = 0;
    const l = new BucketRateLimiter<string>(10, 3, () => now);
    expect([l.when('a'), l.when('b'), l.when('c')]).toEqual([0, 0, 0]);
    expect(l.when('d')).toBeCloseTo(100);
    expect(l.when('e')).toBeCloseTo(200);
    now = 1000; // refilled (capped at burst), minus the two reserved tokens
    expect(l.when('f')).toBe(0);
  });

  it('tryTake never borrows ahead', () => {
    let now = 0;
    const b = new TokenBucket(1, 2, () => now);
    expect([b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, false]);
    now = 999;
    expect(b.tryTake()).toBe(false);
    now = 1000;
    expect(b.tryTake()).toBe(true);
  });

  it('max-of takes the longest delay', () => {
    let now = 0;
    const l = new MaxOfRateLimiter<string>(
      new ItemExponentialFailureRateLimiter<string>(5, 1000),
      new BucketRateLimiter<string>(1, 1, () => now),
    );
    expect(l.when('a')).toBe(5);
    expect(l.when('a')).toBeCloseTo(1000);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
  });

  it('the default controller limiter starts at 5 ms per item', () => {
    const l = defaultControllerRateLimiter<string>();
    expect(l.when('x')).toBe(5);
    expect(l.when('x')).toBe(10);
  });
});

describe('RateLimitingQueue', () => {
  it('requeues a failing item after its backoff and counts requeues', async () => {
    const q = new RateLimitingQueue<string>(new ItemExponentialFailureRateLimiter<string>(10, 1000));
    q.addRateLimited('a');
    expect(q.len()).toBe(0);
    expect(q.numRequeues('a')).toBe(1);
    const start = performance.now();
    const r = await q.get();
    expect(r).toEqual({ item: 'a', shutdown: false });
    expect(performance.now() - start).toBeGreaterThanOrEqual(5);
    q.done('a');
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    q.shutDown();
  });
});
