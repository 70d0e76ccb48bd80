import { describe, expect, it } from 'vitest';
import { selectControllers } from './manager.js';

const known = ['replicaset', 'deployment', 'garbagecollector'];

describe('selectControllers', () => {
  it("turns everything on with '*' and lets '-name' turn one off", () => {
    expect(selectControllers(['*'], known)).toEqual(known);
    expect(selectControllers(['*', '-deployment'], known)).toEqual(['replicaset', 'garbagecollector']);
    expect(selectControllers(['-deployment', '*'], known)).toEqual(['replicaset', 'garbagecollector']);
  });

  it('runs only the named controllers without a star, accepting the -controller suffix', () => {
    expect(selectControllers(['replicaset-controller'], known)).toEqual(['replicaset']);
    expect(selectControllers(['garbagecollector', 'replicaset'], known)).toEqual(['replicaset', 'garbagecollector']);
    expect(selectControllers([], known)).toEqual([]);
  });

  it('rejects unknown names', () => {
    expect(() => selectControllers(['*', 'nope'], known)).toThrow(/"nope" is not in the list of known controllers/);
  });
});
