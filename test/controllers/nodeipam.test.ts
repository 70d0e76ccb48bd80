/**
 * Node IPAM against a real apiserver + etcd: Nodes get distinct pod CIDRs, a deleted
 * Node's CIDR goes back to the pool, and a restarted controller rebuilds the pool from
 * the Nodes instead of handing a taken CIDR out again.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { nodes } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import type { ControllerDeps } from '../../controllers/controller.js';
import { nodeIpamControllerFactory, type NodeIpamOptions } from '../../controllers/nodeipam/node-ipam-controller.js';
import { waitFor } from '../helpers/wait.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';

let cp: TestControlPlane;
const running: (() => Promise<void>)[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
}, 60_000);

afterAll(async () => {
  for (const stop of running) await stop();
  await cp?.stop();
});

function startIpam(opts: Partial<NodeIpamOptions>): () => Promise<void> {
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(cp.client, { logger });
  const deps: ControllerDeps = { client: cp.client, informers, logger, recorder: (component) => new EventRecorder({ client: cp.client, component, logger }) };
  const abort = new AbortController();
  const run = nodeIpamControllerFactory(opts)(deps).run(abort.signal, 2);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    await run;
    await informers.shutdown();
  };
  running.push(stop);
  return stop;
}

const createNode = (name: string) => cp.client.resource(nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as Node);
const podCidr = async (name: string) => (await cp.client.resource(nodes).get(name)).spec.podCIDR;

describe('node IPAM', () => {
  it('gives nodes distinct CIDRs, releases them on delete, and rebuilds its pool on restart', async () => {
    // A pool of two /25 subnets, so exhaustion and release are easy to see.
    const opts = { clusterCidr: '10.250.0.0/24', nodeCidrMaskSize: 25 };
    await createNode('tkube-ipam-a');
    const stop = startIpam(opts);
    await createNode('tkube-ipam-b');
    const a = await waitFor('a CIDR for node a', () => podCidr('tkube-ipam-a'));
    const b = await waitFor('a CIDR for node b', () => podCidr('tkube-ipam-b'));
    expect(new Set([a, b])).toEqual(new Set(['10.250.0.0/25', '10.250.0.128/25']));
    const stored = await cp.client.resource(nodes).get('tkube-ipam-a');
    expect(stored.spec.podCIDRs).toEqual([a]);

    // The pool is full: node c waits until node a is deleted, then gets a's CIDR.
    await createNode('tkube-ipam-c');
    await new Promise((r) => setTimeout(r, 500));
    expect(await podCidr('tkube-ipam-c')).toBeUndefined();
    await cp.client.resource(nodes).delete('tkube-ipam-a');
    expect(await waitFor('a CIDR for node c', () => podCidr('tkube-ipam-c'))).toBe(a);

    // A fresh controller (empty memory) must see b's and c's CIDRs as taken.
    await stop();
    await cp.client.resource(nodes).delete('tkube-ipam-b');
    await createNode('tkube-ipam-d');
    startIpam(opts);
    const d = await waitFor('a CIDR for node d', () => podCidr('tkube-ipam-d'));
    expect(d).toBe(b); // the only free one: b's, freed while no controller ran
    expect(await podCidr('tkube-ipam-c')).toBe(a);
  });

  it('uses 10.244.0.0/16 split into /24s by default', async () => {
    const stop = startIpam({});
    await createNode('tkube-ipam-default');
    const cidr = await waitFor('a default CIDR', () => podCidr('tkube-ipam-default'));
    expect(cidr).toMatch(/^10\.244\.\d+\.0\/24$/);
    await stop();
  });
});
