import { describe, expect, it } from 'vitest';
import { WorkQueue, type GetResult } from './queue.js';

function itemOf<T>(r: GetResult<T>): T {
  if (r.shutdown) throw new Error('unexpected shutdown');
  return r.item;
}

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(itemOf(await q.get())).toBe('a');
    expect(itemOf(await q.get())).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands the same key to two workers at once', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const first = itemOf(await q.get());
    q.add('a'); // changed while being processed
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((r) => (second = itemOf(r)));
    await new Promise((r) => setTimeout(r, 10));
    expect(second).toBeUndefined();
    q.done(first);
    await new Promise((r) => setTimeout(r, 0));
    expect(second).toBe('a');
  });

  it('re-adds an item after done() only if it was added while processing', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.done(itemOf(await q.get()));
    expect(q.len()).toBe(0);
    q.add('a');
    const item = itemOf(await q.get());
    q.add('a');
    q.add('a');
    q.done(item);
    expect(q.len()).toBe(1);
  });

  it('with many workers, each key is processed by one worker at a time', async () => {
    const q = new WorkQueue<string>();
    const active = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async () => {
      for (;;) {
        const r = await q.get();
        if (r.shutdown) return;
        if (active.has(r.item)) overlaps++;
        active.add(r.item);
        await new Promise((res) => setTimeout(res, Math.random() * 3));
        active.delete(r.item);
        processed++;
        q.done(r.item);
      }
    };
    const workers = Array.from({ length: 5 }, worker);
    for (let i = 0; i < 200; i++) {
      q.add(`k${i % 7}`);
      if (i % 10 === 0) await new Promise((res) => setTimeout(res, 1));
    }
    await q.shutDownWithDrain();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
    expect(processed).toBeGreaterThanOrEqual(7);
  });

  it('shutDown lets pending items out, then reports shutdown and ignores adds', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.shutDown();
    q.add('b');
    expect(itemOf(await q.get())).toBe('a');
    expect(await q.get()).toEqual({ shutdown: true });
  });

  it('shutDown releases workers blocked in get()', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.shutDown();
    expect(await pending).toEqual({ shutdown: true });
  });

  it('shutDownWithDrain waits for items in processing', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const item = itemOf(await q.get());
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false);
    q.done(item);
    await drain;
    expect(drained).toBe(true);
  });

  it('reports depth changes to listeners', async () => {
    const q = new WorkQueue<string>();
    const depths: number[] = [];
    const off = q.onDepthChange((d) => depths.push(d));
    q.add('a');
    q.add('b');
    q.add('a');
    await q.get();
    off();
    q.add('c');
    expect(depths).toEqual([1, 2, 1]);
  });
});
