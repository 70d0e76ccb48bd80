/**
 * host-gw across two node namespaces on one underlay bridge: the in-process agents read
 * Nodes from a real apiserver and program routes in the node namespaces; pods on
 * different nodes reach each other unmasqueraded, pods reach outside the cluster CIDR
 * masqueraded, and a Node deleted from the API loses its route. Root only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodes } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { waitFor } from '../helpers/wait.js';
import { iptablesSave, registerNode, routeTo, startAgent, type RunningAgent } from './agents.js';
import { NetTopology, type TopoNode } from './topology.js';

describe('network agent, host-gw', () => {
  const topo = new NetTopology();
  let cp: TestControlPlane;
  let n1: TopoNode;
  let n2: TopoNode;
  const agents: RunningAgent[] = [];

  beforeAll(async () => {
    cp = await startControlPlane();
    [n1, n2] = (await topo.flatNodes(2)) as [TopoNode, TopoNode];
    for (const n of topo.nodes) await registerNode(cp.client, n);
    for (const n of topo.nodes) agents.push(startAgent(cp.client, n, { mode: 'host-gw' }));
  });

  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await topo.cleanup();
    await cp?.stop();
  });

  it("routes each node's pod CIDR via the other node's InternalIP", async () => {
    await waitFor('route n1 → 10.244.2.0/24', async () => (await routeTo(n1.netns, n2.podCidr)).includes(`via ${n2.ip}`));
    await waitFor('route n2 → 10.244.1.0/24', async () => (await routeTo(n2.netns, n1.podCidr)).includes(`via ${n1.ip}`));
    expect(await routeTo(n1.netns, n2.podCidr)).toContain('proto 77');
  });

  it('a pod on node 1 pings and connects to a pod on node 2, which sees its real address', async () => {
    expect(await topo.ping(n1.podNetns, n2.podIp)).toBe(true);
    await topo.startWhoamiServer(n2.podNetns, n2.podIp, 8080);
    expect(await topo.whoami(n1.podNetns, n2.podIp, 8080)).toBe(n1.podIp);
  });

  it('traffic from a pod to outside the cluster CIDR is masqueraded to the node address', async () => {
    // The underlay has no route to 10.244.0.0/16: only a masqueraded packet gets an answer.
    await topo.startWhoamiServer(topo.underlay, '192.168.77.1', 8081);
    expect(await topo.whoami(n1.podNetns, '192.168.77.1', 8081)).toBe(n1.ip);
    expect(await topo.ping(n1.podNetns, '192.168.77.1')).toBe(true);
    expect(await iptablesSave(n1.netns, 'nat')).toMatch(/-A POSTROUTING .*-j TKUBE-POSTROUTING/);
  });

  it('publishes backend type and public IP on each Node', async () => {
    const node = await waitFor('annotations on n1', async () => {
      const n: Node = await cp.client.resource(nodes).get(n1.name);
      return n.metadata.annotations?.['tkube.io/backend-type'] ? n : undefined;
    });
    expect(node.metadata.annotations).toMatchObject({ 'tkube.io/backend-type': 'host-gw', 'tkube.io/public-ip': n1.ip });
    expect(node.metadata.annotations?.['tkube.io/vtep-mac']).toBeUndefined();
  });

  it('puts a deleted route back and removes the route of a Node deleted from the API', async () => {
    const { runOk } = await import('../../cni-plugins/net/exec.js');
    await runOk('ip', ['-n', n1.netns, 'route', 'del', n2.podCidr]);
    await waitFor('route restored by resync', async () => (await routeTo(n1.netns, n2.podCidr)) !== '');

    await cp.client.resource(nodes).delete(n2.name);
    await waitFor('route to the deleted node gone', async () => (await routeTo(n1.netns, n2.podCidr)) === '');
    expect(await topo.ping(n1.podNetns, n2.podIp)).toBe(false);
  });
});
