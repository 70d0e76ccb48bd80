/**
 * The real `tkube network-agent` binary (dist/cli/tkube.js; build first) running inside
 * two node namespaces in different subnets, reaching the test's apiserver through a
 * forwarder: VXLAN with a non-default VNI and port, pod-to-pod traffic across nodes, and
 * SIGTERM with and without --cleanup-on-exit. Root only.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodes } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import { run } from '../../cni-plugins/net/exec.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { tkubeEntry } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { iptablesSave, registerNode, routeTo } from './agents.js';
import { forwardIntoNetns, type Forwarder } from './netns-forwarder.js';
import { NetTopology, type TopoNode } from './topology.js';

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('tkube network-agent (process)', () => {
  const topo = new NetTopology();
  let cp: TestControlPlane;
  let n1: TopoNode;
  let n2: TopoNode;
  const forwarders: Forwarder[] = [];
  const agents = new Map<string, ChildProcess>();
  const logs = new Map<string, string>();

  function startAgentProcess(n: TopoNode, extra: string[]): ChildProcess {
    const args = [tkubeEntry(), 'network-agent', '--kubeconfig', cp.kubeconfig, '--node-name', n.name, '--mode', 'vxlan', '--vxlan-id', '5', '--vxlan-port', '4789', ...extra];
    const child = topo.spawnIn(n.netns, process.execPath, args, { env: { ...process.env, TKUBE_LOG_LEVEL: 'info' } });
    logs.set(n.name, '');
    const append = (b: Buffer) => logs.set(n.name, (logs.get(n.name) ?? '') + b.toString());
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    return child;
  }

  beforeAll(async () => {
    cp = await startControlPlane();
    [n1, n2] = (await topo.routedNodes(2)) as [TopoNode, TopoNode];
    for (const n of topo.nodes) {
      await registerNode(cp.client, n);
      forwarders.push(await forwardIntoNetns(topo, n.netns, cp.apiserver.port));
    }
    agents.set(n1.name, startAgentProcess(n1, ['--cleanup-on-exit']));
    agents.set(n2.name, startAgentProcess(n2, ['--interface', 'eth0']));
  });

  afterAll(async () => {
    for (const a of agents.values()) a.kill('SIGKILL');
    for (const f of forwarders) await f.close().catch(() => undefined);
    await topo.cleanup();
    await cp?.stop();
  });

  it('programs tkube.5 and the peer routes in both nodes; pods talk across nodes', async () => {
    try {
      await waitFor('routes in both nodes', async () =>
        (await routeTo(n1.netns, n2.podCidr)).includes('dev tkube.5') && (await routeTo(n2.netns, n1.podCidr)).includes('dev tkube.5'), 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nn1 log:\n${logs.get(n1.name)}\nn2 log:\n${logs.get(n2.name)}`);
    }
    const link = JSON.parse((await run('ip', ['-n', n2.netns, '-j', '-d', 'link', 'show', 'dev', 'tkube.5'])).stdout) as {
      linkinfo: { info_data: { id: number; port: number; link?: string } };
    }[];
    expect(link[0]?.linkinfo.info_data).toMatchObject({ id: 5, port: 4789, link: 'eth0' });
    const node: Node = await cp.client.resource(nodes).get(n1.name);
    expect(node.metadata.annotations?.['tkube.io/vtep-mac']).toMatch(/^[0-9a-f:]{17}$/);
    expect(await topo.ping(n1.podNetns, n2.podIp)).toBe(true);
    await topo.startWhoamiServer(n2.podNetns, n2.podIp, 8080);
    expect(await topo.whoami(n1.podNetns, n2.podIp, 8080)).toBe(n1.podIp);
  });

  it('SIGTERM without --cleanup-on-exit leaves the overlay in place', async () => {
    const child = agents.get(n2.name)!;
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect((await run('ip', ['-n', n2.netns, 'link', 'show', 'tkube.5'])).code).toBe(0);
    expect(await routeTo(n2.netns, n1.podCidr)).not.toBe('');
    expect(await topo.ping(n2.podNetns, n1.podIp)).toBe(true);
  });

  it('SIGTERM with --cleanup-on-exit removes device, routes and chains', async () => {
    const child = agents.get(n1.name)!;
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect((await run('ip', ['-n', n1.netns, 'link', 'show', 'tkube.5'])).code).not.toBe(0);
    expect(await routeTo(n1.netns, n2.podCidr)).toBe('');
    expect(await iptablesSave(n1.netns, 'nat')).not.toContain('TKUBE-');
    expect(await iptablesSave(n1.netns, 'filter')).not.toContain('TKUBE-');
  });
});
