import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.js';
import { newPodInfo } from './pod-info.js';
import { makeNode, makePod } from './test-objects.js';

describe('SchedulerCache', () => {
  it('counts assumed pods at once and un-counts them when forgotten', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('n', { cpu: '2' }));
    const p = newPodInfo(makePod('p', { cpu: '1500m', memory: '1Gi' }));
    cache.assumePod(p, 'n');
    const n = cache.getNode('n')!;
    expect(n.requested.milliCPU).toBe(1500);
    expect(n.pods.size).toBe(1);
    expect(cache.isAssumed(p.key)).toBe(true);
    expect(() => cache.assumePod(p, 'n')).toThrow();
    cache.forgetPod(p.key);
    expect(n.requested.milliCPU).toBe(0);
    expect(n.pods.size).toBe(0);
  });

  it('a bound pod confirms an assumed one without counting it twice', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('n'));
    const p = newPodInfo(makePod('p', { cpu: '1' }));
    cache.assumePod(p, 'n');
    cache.addOrUpdatePod(newPodInfo(makePod('p', { cpu: '1', nodeName: 'n' })), 'n');
    expect(cache.isAssumed(p.key)).toBe(false);
    expect(cache.getNode('n')!.requested.milliCPU).toBe(1000);
    cache.forgetPod(p.key); // no effect on a confirmed pod
    expect(cache.getNode('n')!.requested.milliCPU).toBe(1000);
    cache.removePod(p.key);
    expect(cache.getNode('n')!.requested.milliCPU).toBe(0);
  });

  it('keeps the node list dense across removals, and pods seen before their node', () => {
    const cache = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) cache.addOrUpdateNode(makeNode(n));
    cache.removeNode('a');
    expect(cache.nodeList.map((n) => n.name).sort()).toEqual(['b', 'c']);
    cache.addOrUpdatePod(newPodInfo(makePod('early', { cpu: '1', nodeName: 'd' })), 'd');
    expect(cache.getNode('d')).toBeUndefined();
    cache.addOrUpdateNode(makeNode('d'));
    expect(cache.getNode('d')!.requested.milliCPU).toBe(1000);
    expect(cache.nodeCount()).toBe(3);
  });
});

describe('SchedulerCache affinity tally', () => {
  it('counts pods with affinity terms across nodes', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('n'));
    const anti = makePod('a', {
      nodeName: 'n',
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: {} }] } },
    });
    cache.addOrUpdatePod(newPodInfo(anti), 'n');
    cache.addOrUpdatePod(newPodInfo(makePod('plain', { nodeName: 'n' })), 'n');
    expect(cache.affinityTally).toEqual({ withAffinity: 1, withRequiredAntiAffinity: 1 });
    cache.addOrUpdatePod(newPodInfo(anti), 'n'); // an update does not count twice
    expect(cache.affinityTally).toEqual({ withAffinity: 1, withRequiredAntiAffinity: 1 });
    cache.removePod('default/a');
    expect(cache.affinityTally).toEqual({ withAffinity: 0, withRequiredAntiAffinity: 0 });
  });
});
