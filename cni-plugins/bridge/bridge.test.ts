/**
 * tkube-bridge end to end, as the runtime runs it: the executable wrapper in
 * cni-plugins/bin with CNI_* in the environment and the config on stdin.
 * Needs root; everything it creates is prefixed tkt/TKT and removed in afterAll.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runOk } from '../net/exec.js';
import { HostFixture, execPlugin, type PluginRun } from '../testing/host-fixture.js';
import { hostVethName, masqChainName } from './names.js';

const fx = new HostFixture();
let dataDir = '';
let binDir = '';
let PLUGIN = '';

beforeAll(async () => {
  await fx.setup();
  dataDir = await fx.tempDir();
  binDir = await fx.buildPlugins();
  PLUGIN = join(binDir, 'tkube-bridge'); // the real wrapper script, on a private build
});
afterAll(() => fx.cleanup());

interface Net {
  name: string;
  conf: Record<string, unknown>;
}

function network(tag: string, subnet: string, extra: Record<string, unknown> = {}): Net {
  const name = fx.network(tag);
  return {
    name,
    conf: {
      cniVersion: '1.0.0',
      name,
      type: 'tkube-bridge',
      bridge: fx.bridge,
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      mtu: 1400,
      ipam: { subnet, dataDir },
      ...extra,
    },
  };
}

function cni(command: string, conf: Record<string, unknown>, containerId: string, netns: string, ifName = 'eth0'): Promise<PluginRun> {
  return execPlugin(
    PLUGIN,
    { CNI_COMMAND: command, CNI_CONTAINERID: containerId, CNI_NETNS: netns, CNI_IFNAME: ifName, CNI_PATH: binDir },
    JSON.stringify(conf),
  );
}

interface AddResult {
  cniVersion: string;
  interfaces: { name: string; mac?: string; sandbox?: string }[];
  ips: { address: string; gateway?: string; interface?: number }[];
  routes: { dst: string; gw?: string }[];
}

async function add(net: Net, id: string, netns: string): Promise<AddResult> {
  const res = await cni('ADD', net.conf, id, netns);
  expect(res.stderr).toBe('');
  expect(res.code, res.stdout).toBe(0);
  return res.json as AddResult;
}

const ipOf = (r: AddResult) => (r.ips[0]?.address ?? '').split('/')[0] ?? '';

async function ping(netns: string, ip: string): Promise<boolean> {
  const res = await run('ip', ['netns', 'exec', netns.split('/').pop() ?? '', 'busybox', 'ping', '-c', '1', '-W', '2', ip]);
  return res.code === 0;
}

describe('tkube-bridge', () => {
  it('answers VERSION with the spec versions it supports', async () => {
    const res = await execPlugin(PLUGIN, { CNI_COMMAND: 'VERSION' }, '');
    expect(res.code).toBe(0);
    expect(res.json).toEqual({ cniVersion: '1.1.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  });

  it('connects two containers on the bridge, with gateway, routes, MTU, hairpin and masquerade', async () => {
    const net = network('pair', '10.201.0.0/24');
    const [nsA, nsB] = await Promise.all([fx.netns('a'), fx.netns('b')]);
    const a = await add(net, 'ctr-a', nsA);
    const b = await add(net, 'ctr-b', nsB);

    expect(a.cniVersion).toBe('1.0.0');
    expect(a.interfaces.map((i) => i.name)).toEqual([fx.bridge, hostVethName(net.name, 'ctr-a', 'eth0'), 'eth0']);
    expect(a.interfaces[2]?.sandbox).toBe(nsA);
    expect(a.ips).toEqual([{ address: '10.201.0.2/24', gateway: '10.201.0.1', interface: 2 }]);
    expect(a.routes).toEqual([{ dst: '0.0.0.0/0', gw: '10.201.0.1' }]);
    expect(ipOf(b)).toBe('10.201.0.3');

    expect(await ping(nsA, ipOf(b))).toBe(true);
    expect(await ping(nsB, ipOf(a))).toBe(true);
    expect(await ping(nsA, '10.201.0.1')).toBe(true);

    const inA = JSON.parse(await runOk('ip', ['-n', nsA.split('/').pop() ?? '', '-j', 'addr', 'show', 'dev', 'eth0'])) as {
      mtu: number;
      address: string;
    }[];
    expect(inA[0]?.mtu).toBe(1400);
    expect(inA[0]?.address).toBe(a.interfaces[2]?.mac);
    const routesA = await runOk('ip', ['-n', nsA.split('/').pop() ?? '', 'route', 'show', 'default']);
    expect(routesA).toContain('default via 10.201.0.1 dev eth0');
    const veth = hostVethName(net.name, 'ctr-a', 'eth0');
    expect((await readFile(`/sys/class/net/${veth}/brport/hairpin_mode`, 'utf8')).trim()).toBe('1');
    expect(await runOk('ip', ['-br', 'addr', 'show', 'dev', fx.bridge])).toContain('10.201.0.1/24');
    // The bridge keeps a MAC of its own (derived from the gateway), whatever its ports.
    expect(a.interfaces[0]?.mac).toBe('0a:58:0a:c9:00:01');

    const nat = await runOk('iptables', ['-w', '-t', 'nat', '-S']);
    const chain = masqChainName(net.name, 'ctr-a', 'eth0');
    expect(nat).toContain(`-A POSTROUTING -s 10.201.0.2/32 -m comment --comment "name: \\"${net.name}\\" id: \\"ctr-a\\"" -j ${chain}`);
    expect(nat).toContain(`-A ${chain} -d 10.201.0.0/24`);
    expect(nat).toMatch(new RegExp(`-A ${chain} ! -d 224\\.0\\.0\\.0/4 .*-j MASQUERADE`));
  });

  it('persists the allocation on disk; DEL frees it and is idempotent', async () => {
    const net = network('del', '10.201.1.0/24');
    const ns = await fx.netns('d');
    const r = await add(net, 'ctr-del', ns);
    const file = join(dataDir, net.name, ipOf(r));
    expect(await readFile(file, 'utf8')).toBe('ctr-del\r\neth0');
    // ADD again for the same attachment (a retry) rebuilds it with the same address.
    const again = await add(net, 'ctr-del', ns);
    expect(again.ips).toEqual(r.ips);
    expect(again.interfaces[2]?.mac).toBe(r.interfaces[2]?.mac);

    const del = await cni('DEL', net.conf, 'ctr-del', ns);
    expect(del.code, del.stdout).toBe(0);
    expect(del.stdout).toBe('');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`/sys/class/net/${hostVethName(net.name, 'ctr-del', 'eth0')}`)).toBe(false);
    expect(await runOk('iptables', ['-w', '-t', 'nat', '-S'])).not.toContain(masqChainName(net.name, 'ctr-del', 'eth0'));
    const nsLinks = await runOk('ip', ['-n', ns.split('/').pop() ?? '', '-br', 'link']);
    expect(nsLinks).not.toContain('eth0');

    expect((await cni('DEL', net.conf, 'ctr-del', ns)).code).toBe(0);
    expect((await cni('DEL', net.conf, 'ctr-del', '/var/run/netns/tkt-does-not-exist')).code).toBe(0);
    expect((await cni('DEL', net.conf, 'never-added', '')).code).toBe(0);

    // The freed address is handed out again once the range wraps; a new one comes next.
    const r2 = await add(net, 'ctr-del2', ns);
    expect(ipOf(r2)).toBe('10.201.1.3');
  });

  it('gives 20 parallel ADDs 20 distinct addresses', async () => {
    const net = network('par', '10.201.2.0/24', { ipMasq: false });
    const namespaces = await Promise.all(Array.from({ length: 20 }, (_, i) => fx.netns(`p${i}`)));
    const results = await Promise.all(
      namespaces.map((ns, i) => cni('ADD', net.conf, `par-${i}`, ns)),
    );
    for (const r of results) expect(r.code, r.stdout).toBe(0);
    const ips = results.map((r) => ipOf(r.json as AddResult));
    expect(new Set(ips).size).toBe(20);
    const files = (await readdir(join(dataDir, net.name))).filter((f) => f.startsWith('10.'));
    expect(files.sort()).toEqual([...ips].sort());
    const dels = await Promise.all(namespaces.map((ns, i) => cni('DEL', net.conf, `par-${i}`, ns)));
    for (const d of dels) expect(d.code, d.stdout).toBe(0);
    const left = (await readdir(join(dataDir, net.name))).filter((f) => f.startsWith('10.'));
    const contents = await Promise.all(left.map((f) => readFile(join(dataDir, net.name, f), 'utf8')));
    expect(left, JSON.stringify(contents)).toEqual([]);
  });

  it('CHECK passes after ADD and fails once the address is removed', async () => {
    const net = network('chk', '10.201.3.0/24');
    const ns = await fx.netns('c');
    const r = await add(net, 'ctr-chk', ns);
    const withPrev = { ...net.conf, prevResult: r };
    const ok = await cni('CHECK', withPrev, 'ctr-chk', ns);
    expect(ok.stdout).toBe('');
    expect(ok.code).toBe(0);

    await runOk('ip', ['-n', ns.split('/').pop() ?? '', 'addr', 'del', r.ips[0]?.address ?? '', 'dev', 'eth0']);
    const bad = await cni('CHECK', withPrev, 'ctr-chk', ns);
    expect(bad.code).not.toBe(0);
    expect(bad.json).toMatchObject({ code: 102, cniVersion: '1.0.0' });
    expect((bad.json as { msg: string }).msg).toContain(r.ips[0]?.address);

    const noPrev = await cni('CHECK', net.conf, 'ctr-chk', ns);
    expect(noPrev.json).toMatchObject({ code: 7 });
  });

  it('appends to prevResult when chained after another plugin', async () => {
    const net = network('prev', '10.201.4.0/24', { ipMasq: false });
    const ns = await fx.netns('v');
    const prevResult = {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'lo', sandbox: ns }],
      ips: [{ address: '127.0.0.1/8', interface: 0 }],
      dns: { nameservers: ['10.96.0.10'] },
    };
    const res = await cni('ADD', { ...net.conf, prevResult }, 'ctr-prev', ns);
    expect(res.code, res.stdout).toBe(0);
    const r = res.json as AddResult & { dns: unknown };
    expect(r.interfaces.map((i) => i.name)).toEqual(['lo', fx.bridge, hostVethName(net.name, 'ctr-prev', 'eth0'), 'eth0']);
    expect(r.ips).toEqual([
      { address: '127.0.0.1/8', interface: 0 },
      { address: '10.201.4.2/24', gateway: '10.201.4.1', interface: 3 },
    ]);
    expect(r.dns).toEqual({ nameservers: ['10.96.0.10'] });
  });

  it('reports bad input as CNI error JSON with the spec codes and a non-zero exit', async () => {
    const ns = await fx.netns('e');
    const net = network('err', '10.201.5.0/24');
    const noSubnet = await cni('ADD', { ...net.conf, ipam: {} }, 'x', ns);
    expect(noSubnet.code).not.toBe(0);
    expect(noSubnet.json).toMatchObject({ cniVersion: '1.0.0', code: 7 });

    const badType = await cni('ADD', { ...net.conf, mtu: 'big' }, 'x', ns);
    expect(badType.json).toMatchObject({ code: 7 });
    expect((badType.json as { details: string }).details).toContain('mtu');

    const v6 = await cni('ADD', { ...net.conf, ipam: { subnet: 'fd00::/64' } }, 'x', ns);
    expect(v6.json).toMatchObject({ code: 7 });

    const notJson = await execPlugin(PLUGIN, { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'x', CNI_NETNS: ns, CNI_IFNAME: 'eth0' }, '{nope');
    expect(notJson.code).not.toBe(0);
    expect(notJson.json).toMatchObject({ code: 6 });

    const oldVersion = await cni('ADD', { ...net.conf, cniVersion: '0.2.0' }, 'x', ns);
    expect(oldVersion.json).toMatchObject({ code: 1, cniVersion: '0.2.0' });

    const noEnv = await execPlugin(PLUGIN, { CNI_COMMAND: 'ADD', CNI_NETNS: ns, CNI_IFNAME: 'eth0' }, JSON.stringify(net.conf));
    expect(noEnv.json).toMatchObject({ code: 4 });

    const noNetns = await cni('ADD', net.conf, 'x', '/var/run/netns/tkt-missing');
    expect(noNetns.json).toMatchObject({ code: 4 });
    // A failure half-way (CNI_IFNAME taken in the pod) undoes the address, veth and chain.
    const busy = await fx.netns('busy');
    await runOk('ip', ['-n', busy.split('/').pop() ?? '', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'tktpeer']);
    const clash = await cni('ADD', net.conf, 'clash', busy);
    expect(clash.code).not.toBe(0);
    expect(clash.json).toMatchObject({ code: 100, msg: expect.stringContaining('ip -batch') });
    expect(existsSync(`/sys/class/net/${hostVethName(net.name, 'clash', 'eth0')}`)).toBe(false);
    expect(await runOk('iptables', ['-w', '-t', 'nat', '-S'])).not.toContain(masqChainName(net.name, 'clash', 'eth0'));
    // Nothing leaked from the failed ADDs.
    expect(existsSync(join(dataDir, net.name)) ? (await readdir(join(dataDir, net.name))).filter((f) => f.startsWith('10.')) : []).toEqual([]);
  });

  it('formats results for 0.4.0 with ips[].version, and supports STATUS and GC on 1.1.0', async () => {
    const net = network('gc', '10.201.6.0/29', { ipMasq: true });
    const [n1, n2] = await Promise.all([fx.netns('g1'), fx.netns('g2')]);
    const legacy = await cni('ADD', { ...net.conf, cniVersion: '0.4.0' }, 'gc-keep', n1);
    expect(legacy.code, legacy.stdout).toBe(0);
    expect((legacy.json as AddResult & { ips: { version?: string }[] }).ips[0]?.version).toBe('4');

    const v11 = { ...net.conf, cniVersion: '1.1.0' };
    expect((await cni('ADD', v11, 'gc-drop', n2)).code).toBe(0);
    const status = await execPlugin(PLUGIN, { CNI_COMMAND: 'STATUS' }, JSON.stringify(v11));
    expect(status.code, status.stdout).toBe(0);

    const gc = await execPlugin(
      PLUGIN,
      { CNI_COMMAND: 'GC' },
      JSON.stringify({ ...v11, 'cni.dev/valid-attachments': [{ containerID: 'gc-keep', ifname: 'eth0' }] }),
    );
    expect(gc.code, gc.stdout).toBe(0);
    const files = (await readdir(join(dataDir, net.name))).filter((f) => f.startsWith('10.'));
    expect(files).toEqual(['10.201.6.2']);
    expect(existsSync(`/sys/class/net/${hostVethName(net.name, 'gc-drop', 'eth0')}`)).toBe(false);
    expect(existsSync(`/sys/class/net/${hostVethName(net.name, 'gc-keep', 'eth0')}`)).toBe(true);
    const nat = await runOk('iptables', ['-w', '-t', 'nat', '-S']);
    expect(nat).not.toContain(masqChainName(net.name, 'gc-drop', 'eth0'));
    expect(nat).toContain(masqChainName(net.name, 'gc-keep', 'eth0'));

    // /29: .1 gateway, .2-.6 allocatable; fill it and STATUS reports unavailable.
    const more = await Promise.all([3, 4, 5, 6].map(async (i) => cni('ADD', v11, `gc-fill${i}`, await fx.netns(`f${i}`))));
    for (const m of more) expect(m.code, m.stdout).toBe(0);
    const full = await execPlugin(PLUGIN, { CNI_COMMAND: 'STATUS' }, JSON.stringify(v11));
    expect(full.code).not.toBe(0);
    expect(full.json).toMatchObject({ code: 50 });
    const exhausted = await cni('ADD', v11, 'gc-over', await fx.netns('f7'));
    expect(exhausted.json).toMatchObject({ code: 101 });
  });
});
