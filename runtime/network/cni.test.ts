import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError, CniInvoker, podIpsFromResult } from './cni.js';
import { parseNetworkConf } from './cni-config.js';

// Fake plugins record their environment and stdin, then answer like real ones.
let dir = '';
const plugin = (name: string, body: string): Promise<void> =>
  fs.writeFile(path.join(dir, name), `#!/bin/sh\nin=$(cat)\necho "$CNI_COMMAND ${name} $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME $CNI_ARGS" >> "${dir}/calls"\necho "$in" > "${dir}/stdin-${name}-$CNI_COMMAND"\n${body}\n`, { mode: 0o755 });

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tkube-test-cni-'));
  await plugin('first', `[ "$CNI_COMMAND" = ADD ] && echo '{"cniVersion":"1.0.0","ips":[{"address":"fd00::5/64"},{"address":"10.9.0.5/24"}]}'; exit 0`);
  await plugin('second', `[ "$CNI_COMMAND" = ADD ] && echo "$in" | sed 's/.*"prevResult":\\(.*\\)}$/\\1/'; exit 0`);
  await plugin('broken', `echo '{"code":7,"msg":"boom","details":"no luck"}'; exit 1`);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const net = () =>
  parseNetworkConf(
    JSON.stringify({ cniVersion: '1.0.0', name: 'testnet', plugins: [{ type: 'first', x: 1 }, { type: 'second', capabilities: { portMappings: true } }] }),
    'x.conflist',
  );
const att = {
  containerId: 'abc',
  netnsPath: '/run/netns/x',
  ifName: 'eth0',
  args: { K8S_POD_NAMESPACE: 'ns', K8S_POD_NAME: 'p' },
  portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
};

describe('CniInvoker', () => {
  it('runs ADD in order, chains prevResult and passes runtimeConfig only to capable plugins', async () => {
    await fs.rm(path.join(dir, 'calls'), { force: true });
    const result = await new CniInvoker([dir]).add(net(), att);
    expect(podIpsFromResult(result)).toEqual(['10.9.0.5', 'fd00::5']);
    const calls = (await fs.readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n');
    expect(calls).toEqual([
      'ADD first abc /run/netns/x eth0 K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p',
      'ADD second abc /run/netns/x eth0 K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p',
    ]);
    const firstIn = JSON.parse(await fs.readFile(path.join(dir, 'stdin-first-ADD'), 'utf8')) as Record<string, unknown>;
    expect(firstIn).toMatchObject({ cniVersion: '1.0.0', name: 'testnet', type: 'first', x: 1 });
    expect(firstIn.runtimeConfig).toBeUndefined();
    expect(firstIn.prevResult).toBeUndefined();
    const secondIn = JSON.parse(await fs.readFile(path.join(dir, 'stdin-second-ADD'), 'utf8')) as Record<string, unknown>;
    expect(secondIn.runtimeConfig).toEqual({ portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] });
    expect(secondIn.prevResult).toMatchObject({ ips: [{ address: 'fd00::5/64' }, { address: '10.9.0.5/24' }] });
    expect(secondIn.capabilities).toBeUndefined();
  });

  it('runs DEL in reverse order with the cached result', async () => {
    await fs.rm(path.join(dir, 'calls'), { force: true });
    await new CniInvoker([dir]).del(net(), att, { ips: [{ address: '10.9.0.5/24' }] });
    const calls = (await fs.readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n');
    expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['DEL second', 'DEL first']);
    const delIn = JSON.parse(await fs.readFile(path.join(dir, 'stdin-first-DEL'), 'utf8')) as Record<string, unknown>;
    expect(delIn.prevResult).toEqual({ ips: [{ address: '10.9.0.5/24' }] });
  });

  it('turns CNI error JSON into an error with the message and code', async () => {
    const n = parseNetworkConf(JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'broken' }), 'n.conf');
    await expect(new CniInvoker([dir]).add(n, att)).rejects.toThrow(/boom: no luck \(code 7\)/);
    await expect(new CniInvoker([dir]).add(parseNetworkConf(JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'absent' }), 'n.conf'), att)).rejects.toBeInstanceOf(CniError);
  });
});
