import { describe, expect, it } from 'vitest';
import { CrashBackoff } from './crash-backoff.js';

describe('CrashBackoff', () => {
  it('lets the first restart go, then waits 10 s doubling up to the max', () => {
    let now = 1_000_000;
    const b = new CrashBackoff({ now: () => now, initialMs: 10_000, maxMs: 40_000 });
    expect(b.remainingMs('p/c', now)).toBe(0);
    b.next('p/c');
    expect(b.remainingMs('p/c', now)).toBe(10_000);
    now += 10_000;
    expect(b.remainingMs('p/c', now - 10_000)).toBe(0);
    b.next('p/c');
    expect(b.currentMs('p/c')).toBe(20_000);
    b.next('p/c');
    b.next('p/c');
    expect(b.currentMs('p/c')).toBe(40_000);
  });

  it('resets after a long quiet period and forgets a pod', () => {
    let now = 0;
    const b = new CrashBackoff({ now: () => now, initialMs: 10, maxMs: 100 });
    b.next('u1/a');
    b.next('u1/a');
    now = 1000;
    expect(b.remainingMs('u1/a', now)).toBe(0);
    b.next('u2/a');
    b.forgetPrefix('u2/');
    expect(b.currentMs('u2/a')).toBe(0);
  });
});
