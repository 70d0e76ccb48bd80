/**
 * The scheduler against a live apiserver and etcd, with fake Node objects (no kubelet):
 * resources fill nodes exactly, constraints are honoured, an unschedulable pod gets
 * Kubernetes' message and is bound soon after a fitting node appears.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, pods } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import { runScheduler } from '../../scheduler/run.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { createNode, createPod, getPod, placements, podScheduledCondition, waitAllBound, waitBound, waitFor } from './helpers.js';

let cp: TestControlPlane;
const stop = new AbortController();
let running: Promise<unknown>;
let scheduler: Scheduler | undefined;

beforeAll(async () => {
  cp = await startControlPlane();
  running = runScheduler({ client: cp.client, onReady: (s) => (scheduler = s) }, stop.signal);
});

afterAll(async () => {
  stop.abort();
  await running?.catch(() => undefined);
  await cp?.stop();
});

const ZONE = 'topology.kubernetes.io/zone';

describe('scheduler on a live apiserver', () => {
  it('fills nodes exactly to allocatable, reports the rest, and binds it within 2 s of a fitting node', async () => {
    const c = cp.client;
    for (let i = 0; i < 3; i++) await createNode(c, `fill-${i}`, { cpu: '1', memory: '2Gi', labels: { group: 'fill' } });
    await Promise.all(Array.from({ length: 12 }, (_, i) => createPod(c, `fill-pod-${i}`, { cpu: '250m', memory: '512Mi' })));
    const placed = await waitAllBound(c, 'fill-pod-', 12);
    const perNode: Record<string, number> = {};
    for (const n of Object.values(placed)) perNode[n] = (perNode[n] ?? 0) + 1;
    expect(perNode).toEqual({ 'fill-0': 4, 'fill-1': 4, 'fill-2': 4 });

    await createPod(c, 'fill-extra', { cpu: '250m', memory: '512Mi' });
    const message =
      '0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    const cond = await waitFor('PodScheduled=False', async () => {
      const cnd = podScheduledCondition(await getPod(c, 'fill-extra'));
      return cnd?.status === 'False' ? cnd : undefined;
    });
    expect(cond).toMatchObject({ reason: 'Unschedulable', message });
    const ev = await waitFor('FailedScheduling event', async () => {
      const list = await c.resource(events, 'default').list();
      return list.items.find((e) => (e as unknown as { reason: string; involvedObject: { name: string } }).reason === 'FailedScheduling' &&
        (e as unknown as { involvedObject: { name: string } }).involvedObject.name === 'fill-extra');
    });
    expect(ev).toMatchObject({ type: 'Warning', message });
    // What kubectl users see.
    const shown = await cp.kubectl(['get', 'pod', 'fill-extra', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']);
    expect(shown.stdout).toBe(message);
    // Still pending a while later: nothing got overbooked.
    await new Promise((r) => setTimeout(r, 300));
    expect((await getPod(c, 'fill-extra')).spec.nodeName).toBeUndefined();

    const t0 = performance.now();
    await createNode(c, 'fill-3', { cpu: '1', memory: '2Gi', labels: { group: 'fill' } });
    expect(await waitBound(c, 'fill-extra', 2000)).toBe('fill-3');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('honours nodeSelector, required node affinity and taints', async () => {
    const c = cp.client;
    await createNode(c, 'sel-a', { labels: { disk: 'ssd', group: 'sel' } });
    await createNode(c, 'sel-b', { labels: { disk: 'ssd', group: 'sel' }, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    await createPod(c, 'sel-plain', { nodeSelector: { disk: 'ssd' } });
    await createPod(c, 'sel-tolerant', {
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['sel-b'] }] }],
          },
        },
      },
    });
    await createPod(c, 'sel-foreign', { nodeSelector: { group: 'sel' }, schedulerName: 'another-scheduler' });
    for (let i = 0; i < 4; i++) await createPod(c, `sel-many-${i}`, { nodeSelector: { group: 'sel' } });
    expect(await waitBound(c, 'sel-plain')).toBe('sel-a');
    expect(await waitBound(c, 'sel-tolerant')).toBe('sel-b');
    const many = await waitAllBound(c, 'sel-many-', 4);
    expect(new Set(Object.values(many))).toEqual(new Set(['sel-a']));
    // A pod for another scheduler is left alone: not bound, no condition written.
    const foreign = await getPod(c, 'sel-foreign');
    expect(foreign.spec.nodeName).toBeUndefined();
    expect(podScheduledCondition(foreign)).toBeUndefined();
  });

  it('honours required pod anti-affinity across hosts', async () => {
    const c = cp.client;
    for (let i = 0; i < 3; i++) await createNode(c, `anti-${i}`, { labels: { group: 'anti' } });
    const anti = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'anti' } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    };
    for (let i = 0; i < 4; i++) await createPod(c, `anti-pod-${i}`, { labels: { app: 'anti' }, nodeSelector: { group: 'anti' }, affinity: anti });
    await waitFor('3 anti pods bound', async () => {
      const p = await placements(c, 'anti-pod-');
      return Object.values(p).filter(Boolean).length === 3 ? p : undefined;
    });
    const p = await placements(c, 'anti-pod-');
    const used = Object.values(p).filter(Boolean);
    expect(new Set(used).size).toBe(3);
    const pending = Object.keys(p).find((k) => !p[k])!;
    const cond = await waitFor('anti pod unschedulable', async () => {
      const cnd = podScheduledCondition(await getPod(c, pending));
      return cnd?.status === 'False' ? cnd : undefined;
    });
    expect(cond.message).toContain("3 node(s) didn't match pod anti-affinity rules");
  });

  it('spreads pods evenly over zones with DoNotSchedule', async () => {
    const c = cp.client;
    await createNode(c, 'spread-a1', { labels: { group: 'spread', [ZONE]: 'a' } });
    await createNode(c, 'spread-a2', { labels: { group: 'spread', [ZONE]: 'a' } });
    await createNode(c, 'spread-a3', { labels: { group: 'spread', [ZONE]: 'a' } });
    await createNode(c, 'spread-b1', { labels: { group: 'spread', [ZONE]: 'b' } });
    const tsc: Pod['spec']['topologySpreadConstraints'] = [
      { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } },
    ];
    for (let i = 0; i < 6; i++) {
      await createPod(c, `spread-pod-${i}`, { labels: { app: 'spread' }, nodeSelector: { group: 'spread' }, topologySpreadConstraints: tsc });
    }
    const placed = await waitAllBound(c, 'spread-pod-', 6);
    const zones: Record<string, number> = {};
    for (const n of Object.values(placed)) zones[n.startsWith('spread-a') ? 'a' : 'b'] = (zones[n.startsWith('spread-a') ? 'a' : 'b'] ?? 0) + 1;
    expect(zones).toEqual({ a: 3, b: 3 });
  });

  it('binds a pod waiting for required pod affinity once its partner is placed', async () => {
    const c = cp.client;
    await createNode(c, 'aff-0', { labels: { group: 'aff' } });
    await createNode(c, 'aff-1', { labels: { group: 'aff' } });
    await createPod(c, 'aff-follower', {
      nodeSelector: { group: 'aff' },
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'aff-db' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    });
    const cond = await waitFor('follower unschedulable', async () => {
      const cnd = podScheduledCondition(await getPod(c, 'aff-follower'));
      return cnd?.status === 'False' ? cnd : undefined;
    });
    expect(cond.message).toContain("node(s) didn't match pod affinity rules");
    await createPod(c, 'aff-db', { labels: { app: 'aff-db' }, nodeSelector: { group: 'aff' } });
    const dbNode = await waitBound(c, 'aff-db');
    expect(await waitBound(c, 'aff-follower', 3000)).toBe(dbNode);
  });

  it('frees resources when a bound pod is deleted and retries pending pods', async () => {
    const c = cp.client;
    await createNode(c, 'del-0', { cpu: '1', labels: { group: 'del' } });
    await createPod(c, 'del-big', { cpu: '1', nodeSelector: { group: 'del' } });
    expect(await waitBound(c, 'del-big')).toBe('del-0');
    await createPod(c, 'del-next', { cpu: '1', nodeSelector: { group: 'del' } });
    await waitFor('del-next unschedulable', async () => (podScheduledCondition(await getPod(c, 'del-next'))?.status === 'False' ? true : undefined));
    await c.resource(pods, 'default').delete('del-big', { gracePeriodSeconds: 0 });
    expect(await waitBound(c, 'del-next', 5000)).toBe('del-0');
    expect(scheduler!.stats.bindErrors).toBe(0);
  });
});
