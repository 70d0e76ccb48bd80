/**
 * VXLAN across three node namespaces in three different subnets, routed through the
 * underlay namespace (so host-gw routes could not work): the in-process agents create
 * tkube.1, publish their VTEP MACs on their Nodes, and program routes, neighbour and FDB
 * entries; pods on different nodes talk unmasqueraded. Also: a restart adopts the
 * device, a deleted Node's entries go, and cleanupNetworkAgent removes everything.
 * Root only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodes } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import { cleanupNetworkAgent } from '../../cni-plugins/agent/cleanup.js';
import { run, runOk } from '../../cni-plugins/net/exec.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { waitFor } from '../helpers/wait.js';
import { iptablesSave, registerNode, routeTo, startAgent, type RunningAgent } from './agents.js';
import { NetTopology, type TopoNode } from './topology.js';

interface LinkJson {
  ifindex: number;
  address: string;
  mtu: number;
  linkinfo?: { info_kind: string; info_data: { id: number; local: string; port: number; learning: boolean } };
}

async function vxlanLink(netns: string): Promise<LinkJson | undefined> {
  const res = await run('ip', ['-n', netns, '-j', '-d', 'link', 'show', 'dev', 'tkube.1']);
  return res.code === 0 ? (JSON.parse(res.stdout) as LinkJson[])[0] : undefined;
}

async function neighbours(netns: string): Promise<string> {
  return (await run('ip', ['-n', netns, 'neigh', 'show', 'dev', 'tkube.1', 'nud', 'permanent'])).stdout;
}

async function fdb(netns: string): Promise<string> {
  return (await run('bridge', ['-n', netns, 'fdb', 'show', 'dev', 'tkube.1'])).stdout;
}

async function vtepMacOf(cp: TestControlPlane, name: string): Promise<string | undefined> {
  const n: Node = await cp.client.resource(nodes).get(name);
  return n.metadata.annotations?.['tkube.io/vtep-mac'];
}

describe('network agent, vxlan', () => {
  const topo = new NetTopology();
  let cp: TestControlPlane;
  let n1: TopoNode;
  let n2: TopoNode;
  let n3: TopoNode;
  const agents = new Map<string, RunningAgent>();

  beforeAll(async () => {
    cp = await startControlPlane();
    [n1, n2, n3] = (await topo.routedNodes(3)) as [TopoNode, TopoNode, TopoNode];
    for (const n of topo.nodes) await registerNode(cp.client, n);
    for (const n of topo.nodes) agents.set(n.name, startAgent(cp.client, n, { mode: 'vxlan' }));
  });

  afterAll(async () => {
    for (const a of agents.values()) await a.stop().catch(() => undefined);
    await topo.cleanup();
    await cp?.stop();
  });

  it('the nodes are in different subnets: a host-gw route to a peer is refused', async () => {
    const res = await run('ip', ['-n', n1.netns, 'route', 'add', '10.250.0.0/24', 'via', n2.ip]);
    expect(res.code).not.toBe(0);
  });

  it('creates tkube.1 (local = InternalIP, port 8472, no learning, .0/32) and publishes its MAC', async () => {
    await waitFor('n1 synced', async () => agents.get(n1.name)!.agent.report !== undefined);
    const link = (await vxlanLink(n1.netns))!;
    expect(link.linkinfo).toMatchObject({ info_kind: 'vxlan', info_data: { id: 1, local: n1.ip, port: 8472, learning: false } });
    expect(link.mtu).toBe(1450);
    expect((await runOk('ip', ['-n', n1.netns, '-4', 'addr', 'show', 'dev', 'tkube.1']))).toContain('inet 10.244.1.0/32');
    await waitFor('n1 VTEP MAC on its Node', async () => (await vtepMacOf(cp, n1.name)) === link.address);
    const node: Node = await cp.client.resource(nodes).get(n1.name);
    expect(node.metadata.annotations).toMatchObject({ 'tkube.io/backend-type': 'vxlan', 'tkube.io/public-ip': n1.ip });
  });

  it('programs an onlink route, a neighbour and an FDB entry for every peer', async () => {
    const mac2 = (await waitFor('n2 VTEP MAC', () => vtepMacOf(cp, n2.name)))!;
    const mac3 = (await waitFor('n3 VTEP MAC', () => vtepMacOf(cp, n3.name)))!;
    await waitFor('n1 routes to n2 and n3', async () =>
      (await routeTo(n1.netns, n2.podCidr)).includes('via 10.244.2.0 dev tkube.1') && (await routeTo(n1.netns, n3.podCidr)).includes('via 10.244.3.0 dev tkube.1'),
    );
    expect(await routeTo(n1.netns, n2.podCidr)).toContain('onlink');
    const neigh = await neighbours(n1.netns);
    expect(neigh).toContain(`10.244.2.0 lladdr ${mac2} PERMANENT`);
    expect(neigh).toContain(`10.244.3.0 lladdr ${mac3} PERMANENT`);
    const entries = await fdb(n1.netns);
    expect(entries).toContain(`${mac2} dst ${n2.ip} self permanent`);
    expect(entries).toContain(`${mac3} dst ${n3.ip} self permanent`);
  });

  it('pods on different nodes ping and connect unmasqueraded; pods reach outside masqueraded', async () => {
    await waitFor('n2 and n3 route to n1', async () => (await routeTo(n2.netns, n1.podCidr)) !== '' && (await routeTo(n3.netns, n1.podCidr)) !== '');
    expect(await topo.ping(n1.podNetns, n2.podIp)).toBe(true);
    expect(await topo.ping(n3.podNetns, n1.podIp)).toBe(true);
    await topo.startWhoamiServer(n1.podNetns, n1.podIp, 8080);
    expect(await topo.whoami(n2.podNetns, n1.podIp, 8080)).toBe(n2.podIp);
    expect(await topo.whoami(n3.podNetns, n1.podIp, 8080)).toBe(n3.podIp);
    // The underlay knows no pod routes: only a masqueraded connection gets an answer.
    await topo.startWhoamiServer(topo.underlay, '192.168.81.1', 8081);
    expect(await topo.whoami(n1.podNetns, '192.168.81.1', 8081)).toBe(n1.ip);
    expect(await topo.whoami(n2.podNetns, '192.168.81.1', 8081)).toBe(n2.ip);
  });

  it('a restarted agent adopts the device without re-creating it, and traffic keeps flowing', async () => {
    const before = (await vxlanLink(n1.netns))!;
    await agents.get(n1.name)!.stop();
    expect(await vxlanLink(n1.netns)).toBeDefined(); // no --cleanup-on-exit: left in place
    expect(await topo.ping(n2.podNetns, n1.podIp)).toBe(true);
    const restarted = startAgent(cp.client, n1, { mode: 'vxlan' });
    agents.set(n1.name, restarted);
    await waitFor('restarted agent synced', async () => restarted.agent.report !== undefined);
    const after = (await vxlanLink(n1.netns))!;
    expect(after.ifindex).toBe(before.ifindex);
    expect(after.address).toBe(before.address);
    expect(await topo.ping(n1.podNetns, n3.podIp)).toBe(true);
  });

  it('removes the route, neighbour and FDB entry of a Node deleted from the API', async () => {
    const mac3 = (await vtepMacOf(cp, n3.name))!;
    await agents.get(n3.name)!.stop();
    agents.delete(n3.name);
    await cp.client.resource(nodes).delete(n3.name);
    await waitFor('n1 route to n3 gone', async () => (await routeTo(n1.netns, n3.podCidr)) === '');
    await waitFor('n1 neighbour/FDB for n3 gone', async () => !(await neighbours(n1.netns)).includes(mac3) && !(await fdb(n1.netns)).includes(mac3));
    expect(await routeTo(n1.netns, n2.podCidr)).not.toBe('');
    expect(await topo.ping(n1.podNetns, n3.podIp)).toBe(false);
    expect(await topo.ping(n1.podNetns, n2.podIp)).toBe(true);
  });

  it('cleanupNetworkAgent removes the device, the routes and the chains from a namespace', async () => {
    await agents.get(n2.name)!.stop();
    agents.delete(n2.name);
    await cleanupNetworkAgent({ netns: n2.netns });
    expect(await vxlanLink(n2.netns)).toBeUndefined();
    expect((await runOk('ip', ['-n', n2.netns, 'route', 'show', 'proto', '77'])).trim()).toBe('');
    expect(await iptablesSave(n2.netns, 'nat')).not.toContain('TKUBE-');
    expect(await iptablesSave(n2.netns, 'filter')).not.toContain('TKUBE-');
    expect(await iptablesSave(n2.netns, 'nat')).toContain('CNI-tkna-pod'); // others' rules stay
    expect(await topo.ping(n1.podNetns, n2.podIp)).toBe(false);
    await cleanupNetworkAgent({ netns: n2.netns }); // twice is fine
  });
});
