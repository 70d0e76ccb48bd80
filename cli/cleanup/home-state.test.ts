import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knownIds, readHomeState } from './home-state.js';

describe('readHomeState', () => {
  const home = mkdtempSync('/tmp/tkube-test-home-state-');
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const write = (path: string, value: unknown): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  };

  it("reads the single node's and every multi-node node's runtime records", () => {
    write(join(home, 'runtime/sandboxes/aaa.json'), { id: 'aaa', netnsName: 'tkube-aaa', podCgroup: '/tkube/pod-aaa' });
    write(join(home, 'runtime/sandboxes/broken.json'), '{"id": "half');
    write(join(home, 'runtime/containers/ccc.json'), { id: 'ccc', cgroupPath: '/tkube/pod-aaa/ccc' });
    write(join(home, 'runtime/cni/aaa.json'), { network: {}, attachment: {} });
    write(join(home, 'nodes/tkube-node-1/runtime/sandboxes/bbb.json'), { id: 'bbb', netnsName: 'tkube-bbb' });
    mkdirSync(join(home, 'nodes/tkube-node-2'), { recursive: true });

    const state = readHomeState(home);
    expect(state.nodes.sort()).toEqual(['tkube-node-1', 'tkube-node-2']);
    expect(state.runtimes.map((r) => r.dir)).toEqual([join(home, 'runtime'), join(home, 'nodes/tkube-node-1/runtime')]);
    expect(state.runtimes[0]!.sandboxes).toEqual([{ id: 'aaa', netnsName: 'tkube-aaa', podCgroup: '/tkube/pod-aaa' }]);
    expect(state.runtimes[0]!.ociRoot).toBe(join(home, 'runtime/oci'));
    expect([...knownIds(state)].sort()).toEqual(['aaa', 'bbb', 'ccc']);
  });

  it('finds nothing in a home that never ran a node', () => {
    const empty = mkdtempSync('/tmp/tkube-test-home-state-empty-');
    try {
      expect(readHomeState(empty)).toEqual({ home: empty, runtimes: [], nodes: [] });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
