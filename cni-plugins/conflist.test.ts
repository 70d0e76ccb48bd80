/**
 * execConflist against the reference plugins in /usr/lib/cni (bridge + host-local,
 * loopback, portmap) and against tkube-bridge chained with portmap. Needs root;
 * everything created is prefixed tkt and removed in afterAll.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostVethName } from './bridge/names.js';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedAttachments, execConflist, gcConflist, parseConflist, pluginNetConf, statusConflist, type Conflist } from './conflist.js';
import { run, runOk } from './net/exec.js';
import { CniError } from './spec/errors.js';
import { HostFixture, REFERENCE_BIN_DIR } from './testing/host-fixture.js';

const fx = new HostFixture();
let dir = '';
let binDir = '';

beforeAll(async () => {
  await fx.setup();
  dir = await fx.tempDir();
  binDir = await fx.buildPlugins();
});
afterAll(() => fx.cleanup());

const nsName = (path: string) => path.split('/').pop() ?? '';

function referenceConflist(name: string, bridge: string, subnet: string): Conflist {
  return parseConflist({
    cniVersion: '1.0.0',
    name,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'host-local') },
      },
      { type: 'loopback' },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  });
}

/** Serves one TCP connection in the netns, answering `reply`; returns a stopper. */
function serveOnce(netns: string, port: number, reply: string): () => void {
  const child = spawn('ip', ['netns', 'exec', nsName(netns), 'busybox', 'nc', '-l', '-p', String(port), '-e', '/bin/echo', reply], {
    stdio: 'ignore',
  });
  return () => {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
  };
}

async function fetchFrom(netns: string, ip: string, port: number): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const res = await run('ip', ['netns', 'exec', nsName(netns), 'busybox', 'nc', '-w', '2', ip, String(port)]);
    if (res.stdout.trim() !== '') return res.stdout.trim();
    await new Promise((r) => setTimeout(r, 100)); // the server may not listen yet
  }
  return '';
}

describe('parseConflist and pluginNetConf', () => {
  it('rejects an invalid list with code 7', () => {
    expect(() => parseConflist({ cniVersion: '1.0.0', name: 'x', plugins: [] })).toThrow(CniError);
    try {
      parseConflist({ name: 'x' });
    } catch (err) {
      expect((err as CniError).code).toBe(7);
    }
  });

  it('gives each plugin the list name and version, its capabilities only, and prevResult', () => {
    const list = parseConflist({
      cniVersion: '1.0.0',
      name: 'net',
      plugins: [{ type: 'a', capabilities: { portMappings: true, bandwidth: false } }, { type: 'b' }],
    });
    const prev = { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] };
    const caps = { portMappings: [{ hostPort: 1 }], bandwidth: { rate: 1 }, ips: ['10.0.0.9'] };
    expect(pluginNetConf(list, list.plugins[0]!, prev, caps)).toEqual({
      type: 'a',
      capabilities: { portMappings: true, bandwidth: false },
      name: 'net',
      cniVersion: '1.0.0',
      runtimeConfig: { portMappings: [{ hostPort: 1 }] },
      prevResult: prev,
    });
    expect(pluginNetConf(list, list.plugins[1]!, undefined, caps)).toEqual({ type: 'b', name: 'net', cniVersion: '1.0.0' });
  });
});

describe('execConflist with the reference plugins', () => {
  it('ADD, CHECK, port mapping, DEL through bridge + host-local + loopback + portmap', async () => {
    const bridge = fx.addBridge(`tktrf${fx.suffix}`);
    const list = referenceConflist(fx.network('ref'), bridge, '10.202.0.0/24');
    const [nsA, nsB] = await Promise.all([fx.netns('ra', { loUp: false }), fx.netns('rb')]);
    const base = { conflist: list, ifName: 'eth0', binDirs: [REFERENCE_BIN_DIR], cacheDir: join(dir, 'cache') };
    const portMappings = [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }];

    const a = await execConflist({ ...base, command: 'ADD', containerId: 'ref-a', netns: nsA, capabilityArgs: { portMappings } });
    const b = await execConflist({ ...base, command: 'ADD', containerId: 'ref-b', netns: nsB });
    const ipA = a?.ips?.[0]?.address.split('/')[0] ?? '';
    expect(ipA).toMatch(/^10\.202\.0\.\d+$/);
    expect(b?.ips?.[0]?.address).toMatch(/^10\.202\.0\.\d+\/24$/);
    expect(a?.interfaces?.some((i) => i.name === 'eth0' && i.sandbox === nsA)).toBe(true);
    // loopback brought lo up in the namespace we left it down in.
    expect(await runOk('ip', ['-n', nsName(nsA), '-br', 'link', 'show', 'lo'])).toMatch(/UNKNOWN|UP/);
    const cache = join(dir, 'cache', 'results', `${list.name}-ref-a-eth0`);
    expect(JSON.parse(await readFile(cache, 'utf8'))).toMatchObject({ kind: 'cniCacheV1', result: { ips: a?.ips } });

    // portmap's DNAT: B reaches A's port 80 via the host's gateway address and port 18080.
    expect(await runOk('iptables', ['-w', '-t', 'nat', '-S'])).toContain(`--to-destination ${ipA}:80`);
    const stop = serveOnce(nsA, 80, 'tkt-hello');
    try {
      expect(await fetchFrom(nsB, '10.202.0.1', 18080)).toBe('tkt-hello');
    } finally {
      stop();
    }

    // CHECK on B, which has no port mappings: the installed portmap (1.1.1) fails CHECK for
    // IPv4-only pods with mappings (containernetworking/plugins#819).
    await execConflist({ ...base, command: 'CHECK', containerId: 'ref-b', netns: nsB });
    await runOk('ip', ['-n', nsName(nsB), 'addr', 'flush', 'dev', 'eth0']);
    await expect(execConflist({ ...base, command: 'CHECK', containerId: 'ref-b', netns: nsB })).rejects.toThrow(/type="bridge"/);

    await execConflist({ ...base, command: 'DEL', containerId: 'ref-a', netns: nsA, capabilityArgs: { portMappings } });
    expect(existsSync(cache)).toBe(false);
    expect(await runOk('iptables', ['-w', '-t', 'nat', '-S'])).not.toContain(`--to-destination ${ipA}:80`);
    expect(existsSync(join(dir, 'host-local', list.name, ipA))).toBe(false);
    await execConflist({ ...base, command: 'DEL', containerId: 'ref-a', netns: nsA, capabilityArgs: { portMappings } });
    await expect(execConflist({ ...base, command: 'CHECK', containerId: 'ref-a', netns: nsA })).rejects.toMatchObject({ code: 3 });
    await execConflist({ ...base, command: 'DEL', containerId: 'ref-b', netns: nsB });
  });

  it('chains tkube-bridge with portmap and reports a failing plugin with its own code', async () => {
    const name = fx.network('own');
    const conf = {
      cniVersion: '1.0.0',
      name,
      plugins: [
        { type: 'tkube-bridge', bridge: fx.bridge, isGateway: true, ipam: { subnet: '10.202.1.0/24', dataDir: join(dir, 'own') } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    };
    const list = parseConflist(conf);
    const ns = await fx.netns('own');
    const base = { conflist: list, ifName: 'eth0', binDirs: [binDir, REFERENCE_BIN_DIR], cacheDir: join(dir, 'cache') };
    const portMappings = [{ hostPort: 18081, containerPort: 8080, protocol: 'tcp' }];
    const r = await execConflist({ ...base, command: 'ADD', containerId: 'own-1', netns: ns, capabilityArgs: { portMappings } });
    expect(r?.ips).toEqual([{ address: '10.202.1.2/24', gateway: '10.202.1.1', interface: 2 }]);
    expect(await runOk('iptables', ['-w', '-t', 'nat', '-S'])).toContain('--to-destination 10.202.1.2:8080');
    // Without the mappings, so that portmap's CHECK (plugins#819, see above) has nothing to check.
    await execConflist({ ...base, command: 'CHECK', containerId: 'own-1', netns: ns });
    await execConflist({ ...base, command: 'DEL', containerId: 'own-1', netns: ns, capabilityArgs: { portMappings } });
    expect(await runOk('iptables', ['-w', '-t', 'nat', '-S'])).not.toContain('10.202.1.2:8080');

    const broken = parseConflist({ ...conf, plugins: [{ type: 'tkube-bridge', bridge: fx.bridge }] });
    await expect(
      execConflist({ ...base, conflist: broken, command: 'ADD', containerId: 'own-2', netns: ns }),
    ).rejects.toMatchObject({ code: 7, message: expect.stringContaining('type="tkube-bridge"') });
    await expect(
      execConflist({ ...base, binDirs: ['/nonexistent-tkt'], command: 'ADD', containerId: 'own-3', netns: ns }),
    ).rejects.toMatchObject({ code: 5 });
  });

  it('GC deletes stale cached attachments and lets plugins drop leaks; STATUS runs on 1.1.0', async () => {
    const name = fx.network('gc');
    const store = join(dir, 'gc-store');
    const list = parseConflist({
      cniVersion: '1.1.0',
      name,
      plugins: [{ type: 'tkube-bridge', bridge: fx.bridge, ipMasq: true, ipam: { subnet: '10.202.2.0/24', dataDir: store } }],
    });
    const base = { conflist: list, ifName: 'eth0', binDirs: [binDir], cacheDir: join(dir, 'gc-cache') };
    for (const id of ['keep', 'drop', 'leak']) {
      await execConflist({ ...base, command: 'ADD', containerId: `gc-${id}`, netns: await fx.netns(`gc${id}`), args: { K8S_POD_NAME: id } });
    }
    // A leak: the runtime lost its cache entry, only the plugin's own GC can find it.
    await rm(join(dir, 'gc-cache', 'results', `${name}-gc-leak-eth0`));
    expect((await cachedAttachments(list, base.cacheDir)).map((a) => a.containerId).sort()).toEqual(['gc-drop', 'gc-keep']);
    expect((await cachedAttachments(list, base.cacheDir)).find((a) => a.containerId === 'gc-keep')?.args).toEqual({ K8S_POD_NAME: 'keep' });

    await statusConflist({ conflist: list, binDirs: base.binDirs });
    await gcConflist({ ...base, validAttachments: [{ containerId: 'gc-keep', ifName: 'eth0' }] });

    expect((await cachedAttachments(list, base.cacheDir)).map((a) => a.containerId)).toEqual(['gc-keep']);
    expect((await readdir(join(store, name))).filter((f) => f.startsWith('10.'))).toEqual(['10.202.2.2']);
    expect(existsSync(`/sys/class/net/${hostVethName(name, 'gc-keep', 'eth0')}`)).toBe(true);
    expect(existsSync(`/sys/class/net/${hostVethName(name, 'gc-drop', 'eth0')}`)).toBe(false);
    expect(existsSync(`/sys/class/net/${hostVethName(name, 'gc-leak', 'eth0')}`)).toBe(false);
    const nat = await runOk('iptables', ['-w', '-t', 'nat', '-S']);
    expect(nat).toContain('id: \\"gc-keep\\"');
    expect(nat).not.toContain('id: \\"gc-leak\\"');
  });
});

