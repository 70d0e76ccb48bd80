// Pod networking through the runtime with both plugin sets: tkube's default conflist
// (tkube-bridge + portmap + loopback) and Debian's reference chain (bridge + host-local
// + portmap + loopback). Two pods ping and wget each other; a hostPort reaches a pod.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerConfig, PodSandboxConfig } from '../../runtime/cri/types.js';
import { defaultConflist } from '../../runtime/network/default-conflist.js';
import { HostFixture } from '../../cni-plugins/testing/host-fixture.js';
import { freePort } from '../../cli/free-port.js';
import { createHarness, leftovers, type Harness } from './harness.js';

const BUSYBOX = 'tkube-test/busybox:latest';

interface Flavour {
  label: string;
  /** Plugin dirs; `own` is tkube's privately built cni-plugins/bin. */
  binDirs: (own: string) => string[];
  conflist: (net: { name: string; bridge: string; subnet: string; ipamDir: string }) => unknown;
}

const FLAVOURS: Flavour[] = [
  {
    label: "tkube's default conflist (tkube-bridge + portmap + loopback)",
    binDirs: (own) => [own, '/usr/lib/cni'],
    conflist: (n) => defaultConflist({ podCidr: n.subnet, name: n.name, bridge: n.bridge, ipamDataDir: n.ipamDir }),
  },
  {
    label: 'the reference plugins (bridge + host-local + portmap + loopback)',
    binDirs: () => ['/usr/lib/cni'],
    conflist: (n) => ({
      cniVersion: '1.0.0',
      name: n.name,
      plugins: [
        {
          type: 'bridge',
          bridge: n.bridge,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: n.subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: n.ipamDir },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
        { type: 'loopback' },
      ],
    }),
  },
];

describe.each(FLAVOURS)('pod networking with $label', (flavour) => {
  const fixture = new HostFixture();
  let h: Harness;
  let network = '';
  const pods: string[] = [];

  beforeAll(async () => {
    await fixture.setup();
    const own = flavour.binDirs('').length > 1 ? await fixture.buildPlugins() : '';
    network = fixture.network('rt'); // iptables rules carrying this name are removed by the fixture
    h = await createHarness({
      cniBinDirs: flavour.binDirs(own),
      conflist: (n) => flavour.conflist({ ...n, name: network }),
    });
    fixture.addBridge(h.bridge);
    await h.startRuntime();
  }, 240_000);

  afterAll(async () => {
    await h?.cleanup();
    await fixture.cleanup();
  }, 120_000);

  const sandboxConfig = (name: string, extra: Partial<PodSandboxConfig> = {}): Partial<PodSandboxConfig> => ({
    metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 },
    hostname: name,
    log_directory: path.join(h.logDir, name),
    labels: { 'tkube-test': h.tag },
    ...extra,
  });

  async function podWith(name: string, command: string[], extra: Partial<PodSandboxConfig> = {}): Promise<{ pod: string; ctr: string; ip: string }> {
    const config = sandboxConfig(name, extra) as PodSandboxConfig;
    const { pod_sandbox_id: pod } = await h.client.runtime('RunPodSandbox', { config });
    pods.push(pod);
    const cfg: Partial<ContainerConfig> = { metadata: { name: 'main', attempt: 0 }, image: { image: BUSYBOX, annotations: {} }, command, log_path: 'main/0.log' };
    const { container_id: ctr } = await h.client.runtime('CreateContainer', { pod_sandbox_id: pod, config: cfg as ContainerConfig, sandbox_config: config });
    await h.client.runtime('StartContainer', { container_id: ctr });
    const st = await h.client.runtime('PodSandboxStatus', { pod_sandbox_id: pod });
    return { pod, ctr, ip: st.status!.network!.ip };
  }

  async function exec(ctr: string, cmd: string[]): Promise<{ out: string; code: number }> {
    const r = await h.client.runtime('ExecSync', { container_id: ctr, cmd, timeout: 10 });
    return { out: r.stdout.toString() + r.stderr.toString(), code: r.exit_code };
  }

  /** Retries while the server in the other pod is still starting. */
  async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await fn();
      if (ok(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('gives two pods addresses on the bridge that reach each other and a hostPort', async () => {
    // A port no other test process uses (portmap would send local traffic for it to the pod).
    const hostPort = await freePort();
    const web = await podWith('web', ['httpd', '-f', '-p', '8080', '-h', '/www'], {
      port_mappings: [{ protocol: 'TCP', container_port: 8080, host_port: hostPort, host_ip: '' }],
    });
    const client = await podWith('client', ['sleep', '3600']);
    const net = h.subnet.split('.').slice(0, 3).join('.');
    expect(web.ip.startsWith(`${net}.`)).toBe(true);
    expect(client.ip.startsWith(`${net}.`)).toBe(true);
    expect(web.ip).not.toBe(client.ip);

    const ping = await exec(client.ctr, ['ping', '-c', '1', '-W', '3', web.ip]);
    expect(ping.code, ping.out).toBe(0);
    const get = await eventually(() => exec(client.ctr, ['wget', '-q', '-O', '-', `http://${web.ip}:8080/index.html`]), (r) => r.code === 0);
    expect(get.out).toBe('hello from tkube\n');
    // The pod's own eth0 and default route via the bridge's gateway address.
    const route = await exec(client.ctr, ['ip', 'route']);
    expect(route.out).toContain(`default via ${net}.1`);

    // hostPort through portmap: from the host to the node-local gateway address.
    const body = await eventually(
      () => fetch(`http://${net}.1:${hostPort}/index.html`, { signal: AbortSignal.timeout(3000) }).then((r) => r.text(), (e: unknown) => String(e)),
      (t) => t.startsWith('hello'),
    );
    expect(body).toBe('hello from tkube\n');
  }, 90_000);

  it('leaves no veth, address, netns or masquerade chain after the pods are removed', async () => {
    for (const pod of pods.splice(0)) {
      await h.client.runtime('StopPodSandbox', { pod_sandbox_id: pod });
      await h.client.runtime('RemovePodSandbox', { pod_sandbox_id: pod });
    }
    const left = leftovers(h);
    expect(left).toMatchObject({ netns: [], veths: [], mounts: [], cgroups: [], runcState: [], conmon: [], stateFiles: [] });
    const ipam = path.join(h.ipamDir, network);
    const allocations = existsSync(ipam) ? readdirSync(ipam).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : [];
    expect(allocations).toEqual([]);
    const nat = execFileSync('iptables-save', ['-t', 'nat']).toString();
    expect(nat.split('\n').filter((l) => l.includes(`"${network}"`))).toEqual([]);
  }, 60_000);
});
