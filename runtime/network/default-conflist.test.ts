import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNetworkConf, loadDefaultNetwork } from './cni-config.js';
import {
  DEFAULT_CONFLIST_FILE,
  defaultCniBinDirs,
  defaultConflist,
  ensureDefaultConflist,
  repoPluginBinDir,
} from './default-conflist.js';

let dir = '';
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tkube-test-defconf-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('defaultConflist', () => {
  it('chains tkube-bridge over the pod CIDR with portmap and loopback', () => {
    const conf = defaultConflist({ podCidr: '10.244.3.0/24' });
    const net = parseNetworkConf(JSON.stringify(conf), 'x.conflist');
    expect(net.name).toBe('tkube');
    expect(net.cniVersion).toBe('1.0.0');
    expect(net.plugins.map((p) => p.type)).toEqual(['tkube-bridge', 'portmap', 'loopback']);
    expect(net.plugins[0]).toMatchObject({
      bridge: 'tkube0',
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: { subnet: '10.244.3.0/24' },
    });
    expect(net.plugins[1]!.capabilities).toEqual({ portMappings: true });
  });

  it('takes a name, bridge and IPAM data dir', () => {
    const conf = defaultConflist({ podCidr: '10.1.0.0/16', name: 'n1', bridge: 'br9', ipamDataDir: '/tmp/x' });
    expect(conf.name).toBe('n1');
    expect(conf.plugins).toMatchObject([{ bridge: 'br9', ipam: { subnet: '10.1.0.0/16', dataDir: '/tmp/x' } }, {}, {}]);
  });

  it.each(['10.0.0.0', '10.0.0.0/31', '300.1.1.0/24', 'fd00::/64', ''])('rejects pod CIDR %j', (cidr) => {
    expect(() => defaultConflist({ podCidr: cidr })).toThrow(/invalid pod CIDR/);
  });
});

describe('ensureDefaultConflist', () => {
  it('writes the default into an empty (or missing) dir, where the runtime then finds it', async () => {
    const confDir = path.join(dir, 'net.d');
    const file = await ensureDefaultConflist(confDir, { podCidr: '10.244.7.0/24' });
    expect(file).toBe(path.join(confDir, DEFAULT_CONFLIST_FILE));
    const net = await loadDefaultNetwork(confDir);
    expect(net.file).toBe(file);
    expect(net.plugins[0]).toMatchObject({ type: 'tkube-bridge', ipam: { subnet: '10.244.7.0/24' } });
    expect(await fs.readdir(confDir)).toEqual([DEFAULT_CONFLIST_FILE]);
  });

  it('leaves an operator-provided config alone', async () => {
    const mine = JSON.stringify({ cniVersion: '1.0.0', name: 'mine', type: 'bridge' });
    await fs.writeFile(path.join(dir, '05-mine.conf'), mine);
    expect(await ensureDefaultConflist(dir, { podCidr: '10.244.7.0/24' })).toBeUndefined();
    expect(await fs.readdir(dir)).toEqual(['05-mine.conf']);
    expect((await loadDefaultNetwork(dir)).name).toBe('mine');
  });

  it('does not write anything for an invalid CIDR', async () => {
    await expect(ensureDefaultConflist(dir, { podCidr: 'nope' })).rejects.toThrow(/invalid pod CIDR/);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('CNI bin dirs', () => {
  it("finds the repository's tkube-bridge first, then the distro dirs", async () => {
    const own = repoPluginBinDir();
    expect(own).toBeDefined();
    await fs.access(path.join(own!, 'tkube-bridge'));
    expect(defaultCniBinDirs()).toEqual([own, '/usr/lib/cni', '/opt/cni/bin']);
  });

  it('finds it from a compiled location under dist/ too', () => {
    const own = repoPluginBinDir();
    const repo = path.dirname(path.dirname(own!));
    expect(repoPluginBinDir(`file://${repo}/dist/runtime/network/default-conflist.js`)).toBe(own);
  });
});
