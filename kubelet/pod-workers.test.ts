import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PodWorkers } from './pod-workers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PodWorkers', () => {
  it('never runs one key twice at once and re-runs once when dirtied mid-sync', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const w = new PodWorkers(async () => {
      active++;
      runs++;
      maxActive = Math.max(maxActive, active);
      await sleep(30);
      active--;
      return {};
    }, pino({ level: 'silent' }));
    w.enqueue('a');
    w.enqueue('a');
    w.enqueue('a');
    await sleep(120);
    expect(maxActive).toBe(1);
    expect(runs).toBe(2);
    await w.stop();
  });

  it('retries a failing sync and honours requeueAfterMs', async () => {
    let calls = 0;
    const w = new PodWorkers(async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
      if (calls === 2) return { requeueAfterMs: 20 };
      return { done: true };
    }, pino({ level: 'silent' }));
    w.enqueue('b');
    await sleep(700);
    expect(calls).toBe(3);
    expect(w.keys()).toEqual([]);
    await w.stop();
  });
});
