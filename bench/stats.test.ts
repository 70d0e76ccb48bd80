import { describe, expect, it } from 'vitest';
import { median, percentile, round } from './stats.js';

describe('stats', () => {
  it('median of odd and even samples, unsorted input left alone', () => {
    const s = [5, 1, 3];
    expect(median(s)).toBe(3);
    expect(s).toEqual([5, 1, 3]);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('percentile by nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('round keeps 3 significant digits for small numbers', () => {
    expect(round(0.123456)).toBe(0.123);
    expect(round(12.345)).toBe(12.3);
    expect(round(1234.5)).toBe(1235);
  });
});
