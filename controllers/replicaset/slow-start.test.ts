import { describe, expect, it } from 'vitest';
import { slowStartBatch } from './slow-start.js';

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, ... and all calls when none fail', async () => {
    let inFlight = 0;
    const batches: number[] = [];
    let current = 0;
    const fn = async () => {
      inFlight++;
      current = Math.max(current, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
    };
    let calls = 0;
    const res = await slowStartBatch(10, 1, async () => {
      calls++;
      await fn();
      if (inFlight === 0) {
        batches.push(current);
        current = 0;
      }
    });
    expect(res).toEqual({ successes: 10 });
    expect(calls).toBe(10);
    expect(batches).toEqual([1, 2, 4, 3]);
  });

  it('stops after the first batch that has a failure', async () => {
    let calls = 0;
    const res = await slowStartBatch(100, 1, async () => {
      calls++;
      if (calls >= 3) throw new Error(`boom ${calls}`);
    });
    // batch 1 (1 call) and batch 2 (2 calls, of which call 3 fails); nothing after.
    expect(calls).toBe(3);
    expect(res.successes).toBe(2);
    expect((res.error as Error).message).toBe('boom 3');
  });

  it('starts no batch once the signal is aborted, and lets the running one finish', async () => {
    const stop = new AbortController();
    let calls = 0;
    const res = await slowStartBatch(
      500,
      1,
      async () => {
        calls++;
        // Aborted while the third batch (calls 4-7) runs.
        if (calls === 5) stop.abort();
        await new Promise((r) => setTimeout(r, 1));
      },
      stop.signal,
    );
    expect(calls).toBe(7);
    expect(res).toEqual({ successes: 7 });
  });

  it('does nothing for a count of zero', async () => {
    let calls = 0;
    expect(await slowStartBatch(0, 1, async () => void calls++)).toEqual({ successes: 0 });
    expect(calls).toBe(0);
  });
});
