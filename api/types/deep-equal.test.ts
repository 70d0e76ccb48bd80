import { describe, expect, it } from 'vitest';
import { deepEqual, diffPaths } from './deep-equal.js';

describe('deepEqual', () => {
  it('ignores key order and undefined-valued keys', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: {} }, { a: [] })).toBe(false);
  });
});

describe('diffPaths', () => {
  it('names the fields that differ', () => {
    expect(diffPaths({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, d: true }, 'spec')).toEqual(['spec.b.c[1]', 'spec.d']);
    expect(diffPaths({ x: 1 }, { x: 1 })).toEqual([]);
  });
});
