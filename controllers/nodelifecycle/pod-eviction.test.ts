import { describe, expect, it } from 'vitest';
import type { Taint } from '../../api/types/node.js';
import { TaintClock } from './pod-eviction.js';

describe('TaintClock', () => {
  const stamped: Taint = { key: 'k', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
  const bare: Taint = { key: 'maintenance', effect: 'NoExecute' };

  it("uses a taint's timeAdded when it has one", () => {
    expect(new TaintClock().since('n', stamped, 99)).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('dates a taint without timeAdded by its first sighting, per node, until the node loses it', () => {
    const clock = new TaintClock();
    expect(clock.since('n', bare, 1000)).toBe(1000);
    expect(clock.since('n', bare, 5000)).toBe(1000);
    expect(clock.since('m', bare, 5000)).toBe(5000);
    clock.prune('n', [bare]);
    expect(clock.since('n', bare, 6000)).toBe(1000);
    clock.prune('n', []);
    expect(clock.since('n', bare, 7000)).toBe(7000);
    expect(clock.since('m', bare, 7000)).toBe(5000);
  });
});
