import { describe, expect, it } from 'vitest';
import { normalizeOrder, sameItem } from './list-order.js';

const n = (...names: string[]) => names.map((name) => ({ name }));

describe('sameItem', () => {
  it('compares by merge key for keyed lists and by value otherwise', () => {
    expect(sameItem({ name: 'a', x: 1 }, { name: 'a', x: 2 }, 'name')).toBe(true);
    expect(sameItem({ name: 'a' }, { name: 'b' }, 'name')).toBe(false);
    expect(sameItem({ x: 1 }, { x: 1 }, 'name')).toBe(false); // no merge key: never the same element
    expect(sameItem('a', 'a', '')).toBe(true);
    expect(sameItem(1, '1', '')).toBe(false);
    expect(sameItem({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, '')).toBe(true);
  });
});

describe('normalizeOrder', () => {
  it('sorts patch items by the patch order and server-only items by the server order', () => {
    const out = normalizeOrder(n('b', 'a'), n('y', 'x'), n('a', 'b'), n('x', 'y'), 'name');
    expect(out).toEqual(n('a', 'b', 'x', 'y'));
  });

  // Expected orders checked against `kubectl patch --local` with `$setElementOrder`.
  it('emits a server-only item first when the server had it before the next patch item', () => {
    // server x a y b, patch order b a: x and y both precede b on the server.
    expect(normalizeOrder(n('a', 'b'), n('x', 'y'), n('b', 'a'), n('x', 'a', 'y', 'b'), 'name')).toEqual(n('x', 'y', 'b', 'a'));
    // server a x b, patch order b a: x precedes b.
    expect(normalizeOrder(n('a', 'b'), n('x'), n('b', 'a'), n('a', 'x', 'b'), 'name')).toEqual(n('x', 'b', 'a'));
    // server b x a, patch order a b: x precedes a.
    expect(normalizeOrder(n('a', 'b'), n('x'), n('a', 'b'), n('b', 'x', 'a'), 'name')).toEqual(n('x', 'a', 'b'));
    // server a b x: x follows both patch items.
    expect(normalizeOrder(n('a', 'b'), n('x'), n('b', 'a'), n('a', 'b', 'x'), 'name')).toEqual(n('b', 'a', 'x'));
  });

  it('puts new patch items before the remaining server-only items', () => {
    expect(normalizeOrder(['c'], ['a', 'b'], ['c'], ['a', 'b'], '')).toEqual(['c', 'a', 'b']);
    expect(normalizeOrder(['b', 'c'], ['a'], ['b', 'c'], ['a', 'b'], '')).toEqual(['a', 'b', 'c']);
  });
});
