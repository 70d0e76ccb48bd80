import { describe, expect, it, vi } from 'vitest';
import { DelayingQueue } from './delaying-queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DelayingQueue', () => {
  it('keeps an item due in 30 days waiting without spinning (beyond the longest Node timer)', async () => {
    const q = new DelayingQueue<string>();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      q.addAfter('token', 30 * 86_400_000);
      await sleep(100);
      // One timer for the item and one for the sleep: an overflowed timer would fire every millisecond.
      expect(timers.mock.calls.length).toBeLessThanOrEqual(2);
      expect(q.len()).toBe(0);
      expect(q.waitingCount()).toBe(1);
    } finally {
      timers.mockRestore();
      q.shutDown();
    }
  });

  it('hands out delayed items in order of their ready time', async () => {
    const q = new DelayingQueue<string>();
    q.addAfter('c', 60);
    q.addAfter('a', 20);
    q.addAfter('b', 40);
    q.addAfter('now', 0);
    expect(q.len()).toBe(1);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await q.get();
      if (r.shutdown) throw new Error('shutdown');
      order.push(r.item);
      q.done(r.item);
    }
    expect(order).toEqual(['now', 'a', 'b', 'c']);
  });

  it('does not hand out an item before its delay', async () => {
    const q = new DelayingQueue<string>();
    const start = performance.now();
    q.addAfter('x', 50);
    await sleep(20);
    expect(q.len()).toBe(0);
    expect(q.waitingCount()).toBe(1);
    const r = await q.get();
    expect(r).toEqual({ item: 'x', shutdown: false });
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });

  it('keeps the earlier ready time when an item is delayed twice', async () => {
    const q = new DelayingQueue<string>();
    q.addAfter('x', 1000);
    q.addAfter('x', 20);
    expect(q.waitingCount()).toBe(1);
    await sleep(60);
    expect(q.len()).toBe(1);
    q.addAfter('y', 20);
    q.addAfter('y', 1000);
    await sleep(60);
    expect(q.len()).toBe(2);
    q.shutDown();
  });

  it('drops waiting items on shutdown', async () => {
    const q = new DelayingQueue<string>();
    q.addAfter('x', 20);
    q.shutDown();
    await sleep(40);
    expect(q.len()).toBe(0);
    expect(await q.get()).toEqual({ shutdown: true });
  });
});
