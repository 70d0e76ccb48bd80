/**
 * Multi-node network topologies in network namespaces for the network-agent tests
 * (root only). Every namespace is named `tkna<suffix>-<tag>`; cleanup() kills the helper
 * processes started here and deletes the namespaces (which takes their links, routes,
 * VXLAN devices and iptables rules along), even after a failure. Nothing is created in
 * the root namespace, and private addresses exist only inside these namespaces.
 *
 *   flat:    every node's eth0 on one bridge in the underlay netns (one L2 subnet)
 *   routed:  every node in its own subnet, the underlay netns routing between them
 *
 * Each node gets the CNI-like bridge tkube0 (its pod CIDR's .1) and one "pod" netns
 * hanging off it by a veth, with the pod CIDR's .10 and a default route via .1, and the
 * bridge plugin's per-pod masquerade rules (see podMasquerade).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run, runOk } from '../../cni-plugins/net/exec.js';

/**
 * The whoami answer carries this many bytes after the address: full-size segments, so a
 * path MTU problem (VXLAN's 50 bytes of headers) shows as a stalled transfer.
 */
const WHOAMI_PADDING = 300_000;

export interface TopoNode {
  name: string;
  netns: string;
  ip: string;
  podCidr: string;
  podNetns: string;
  podIp: string;
}

export class NetTopology {
  readonly suffix = randomBytes(2).toString('hex');
  readonly underlay = `tkna${this.suffix}-u`;
  readonly nodes: TopoNode[] = [];
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();

  private async netns(tag: string): Promise<string> {
    const name = `tkna${this.suffix}-${tag}`;
    this.namespaces.push(name);
    await runOk('ip', ['netns', 'add', name]);
    await runOk('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** The underlay; `flat` gives it bridge br0 with `gatewayCidr`. */
  async createUnderlay(): Promise<void> {
    await this.netns('u');
    await runOk('ip', ['netns', 'exec', this.underlay, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  }

  async flatNodes(count: number, subnetPrefix = '192.168.77'): Promise<TopoNode[]> {
    await this.createUnderlay();
    const u = (args: string[]) => runOk('ip', ['-n', this.underlay, ...args]);
    await u(['link', 'add', 'br0', 'type', 'bridge']);
    await u(['addr', 'add', `${subnetPrefix}.1/24`, 'dev', 'br0']);
    await u(['link', 'set', 'br0', 'up']);
    for (let i = 1; i <= count; i++) {
      const ns = await this.netns(`n${i}`);
      await runOk('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `n${i}`, 'netns', this.underlay]);
      await u(['link', 'set', `n${i}`, 'master', 'br0', 'up']);
      await this.nodeUplink(ns, `${subnetPrefix}.${10 + i}/24`);
      await this.addNode(ns, `n${i}`, `${subnetPrefix}.${10 + i}`, i);
    }
    return this.nodes;
  }

  /** Node i in 192.168.(80+i).0/24, its gateway .1 in the underlay. */
  async routedNodes(count: number): Promise<TopoNode[]> {
    await this.createUnderlay();
    for (let i = 1; i <= count; i++) {
      const ns = await this.netns(`n${i}`);
      const net = `192.168.${80 + i}`;
      await runOk('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `n${i}`, 'netns', this.underlay]);
      await runOk('ip', ['-n', this.underlay, 'addr', 'add', `${net}.1/24`, 'dev', `n${i}`]);
      await runOk('ip', ['-n', this.underlay, 'link', 'set', `n${i}`, 'up']);
      await this.nodeUplink(ns, `${net}.2/24`, `${net}.1`);
      await this.addNode(ns, `n${i}`, `${net}.2`, i);
    }
    return this.nodes;
  }

  private async nodeUplink(ns: string, cidr: string, gateway?: string): Promise<void> {
    await runOk('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', 'eth0']);
    await runOk('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    if (gateway) await runOk('ip', ['-n', ns, 'route', 'add', 'default', 'via', gateway]);
  }

  /** Node i gets pod CIDR 10.244.i.0/24, bridge tkube0 (.1) and a pod at .10. */
  private async addNode(ns: string, name: string, ip: string, i: number): Promise<void> {
    const net = `10.244.${i}`;
    await runOk('ip', ['-n', ns, 'link', 'add', 'tkube0', 'type', 'bridge']);
    await runOk('ip', ['-n', ns, 'addr', 'add', `${net}.1/24`, 'dev', 'tkube0']);
    await runOk('ip', ['-n', ns, 'link', 'set', 'tkube0', 'up']);
    const pod = await this.netns(`p${i}`);
    await runOk('ip', ['-n', pod, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'vethp', 'netns', ns]);
    await runOk('ip', ['-n', ns, 'link', 'set', 'vethp', 'master', 'tkube0', 'up']);
    await runOk('ip', ['-n', pod, 'addr', 'add', `${net}.10/24`, 'dev', 'eth0']);
    await runOk('ip', ['-n', pod, 'link', 'set', 'eth0', 'up']);
    await runOk('ip', ['-n', pod, 'route', 'add', 'default', 'via', `${net}.1`]);
    await this.podMasquerade(ns, `${net}.10`, `${net}.0/24`);
    this.nodes.push({ name, netns: ns, ip, podCidr: `${net}.0/24`, podNetns: pod, podIp: `${net}.10` });
  }

  /**
   * What the reference bridge CNI plugin's ipMasq (the kubelet's conflist turns it on)
   * leaves in a node: a per-pod nat chain appended to POSTROUTING that accepts traffic to
   * the node's own pod subnet and masquerades everything else — including traffic to
   * other nodes' pods, unless the agent's rules decide first.
   */
  private async podMasquerade(ns: string, podIp: string, podSubnet: string): Promise<void> {
    const script = ['*nat', ':CNI-tkna-pod - [0:0]', `-A CNI-tkna-pod -d ${podSubnet} -j ACCEPT`, '-A CNI-tkna-pod ! -d 224.0.0.0/4 -j MASQUERADE', `-A POSTROUTING -s ${podIp}/32 -j CNI-tkna-pod`, 'COMMIT', ''];
    await runOk('ip', ['netns', 'exec', ns, 'iptables-restore', '-w', '--noflush'], script.join('\n'));
  }

  /** One ICMP echo from a namespace (busybox ping: the image has no iputils). */
  async ping(fromNetns: string, to: string): Promise<boolean> {
    const res = await run('ip', ['netns', 'exec', fromNetns, 'busybox', 'ping', '-c', '1', '-W', '1', to]);
    return res.code === 0;
  }

  /**
   * A TCP server in `netns` that answers each connection with the peer address it sees
   * (and WHOAMI_PADDING bytes) and closes: proves that TCP passes, with full-size
   * segments, and whether the source was masqueraded.
   */
  async startWhoamiServer(netns: string, ip: string, port: number): Promise<void> {
    const script = `require('net').createServer((s) => s.end(s.remoteAddress + '\\n' + 'x'.repeat(${WHOAMI_PADDING}))).listen(${port}, '${ip}', () => console.log('listening'))`;
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`whoami server in ${netns} exited (${code})`)));
    });
  }

  /** Connects from `netns` to ip:port and returns what the server said (the address it saw). */
  async whoami(netns: string, ip: string, port: number): Promise<string> {
    const script = `const s = require('net').connect(${port}, '${ip}'); let d = ''; s.on('data', (b) => (d += b)); s.on('end', () => { const nl = d.indexOf('\\n'); console.log(JSON.stringify({ address: d.slice(0, nl), bytes: d.length - nl - 1 })); process.exit(0); }); s.on('error', (e) => { console.error(e.message); process.exit(1); }); setTimeout(() => process.exit(2), 3000);`;
    const res = await run('ip', ['netns', 'exec', netns, process.execPath, '-e', script]);
    if (res.code !== 0) throw new Error(`TCP ${netns} → ${ip}:${port} failed (exit ${res.code}): ${res.stderr.trim()}`);
    const answer = JSON.parse(res.stdout) as { address: string; bytes: number };
    if (answer.bytes !== WHOAMI_PADDING) throw new Error(`TCP ${netns} → ${ip}:${port}: got ${answer.bytes} of ${WHOAMI_PADDING} bytes`);
    return answer.address;
  }

  /** Starts a long-running process in a namespace; killed by cleanup(). */
  spawnIn(netns: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', netns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    const errors: string[] = [];
    for (const ns of this.namespaces.reverse()) {
      const res = await run('ip', ['netns', 'del', ns]);
      if (res.code !== 0 && !/No such file/.test(res.stderr)) errors.push(`${ns}: ${res.stderr.trim()}`);
    }
    if (errors.length > 0) throw new Error(`cleanup incomplete: ${errors.join('; ')}`);
  }
}
