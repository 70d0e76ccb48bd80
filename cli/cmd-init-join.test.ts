import { describe, expect, it } from 'vitest';
import type { InitFlags } from './cluster/init.js';
import type { JoinFlags } from './cluster/join.js';
import { initCommand } from './cmd-init.js';
import { joinCommand } from './cmd-join.js';

async function parseInit(args: string[]): Promise<InitFlags> {
  let got: InitFlags | undefined;
  await initCommand(async (f) => void (got = f)).exitOverride().configureOutput({ writeErr: () => undefined }).parseAsync(args, { from: 'user' });
  return got!;
}

async function parseJoin(args: string[]): Promise<JoinFlags> {
  let got: JoinFlags | undefined;
  const cmd = joinCommand(async (f) => void (got = f)).exitOverride().configureOutput({ writeErr: () => undefined });
  await cmd.parseAsync(args, { from: 'user' });
  return got!;
}

describe('tkube init / join flags', () => {
  it('init defaults to systemd units, port 6443, 10.244.0.0/16', async () => {
    expect(await parseInit([])).toEqual({ port: 6443, foreground: false, podNetworkCidr: '10.244.0.0/16', etcdPort: 2379 });
    expect(await parseInit(['--advertise-address', '10.0.0.5', '--foreground', '--node-monitor-grace-period', '10s'])).toMatchObject({
      advertiseAddress: '10.0.0.5',
      foreground: true,
      nodeMonitorGracePeriod: '10s',
    });
    await expect(parseInit(['--node-monitor-grace-period', 'soon'])).rejects.toThrow();
  });

  it('join takes the server and token and defaults to vxlan and the kubelet port 10250', async () => {
    expect(await parseJoin(['http://10.0.0.5:6443', '--token', 'abcdef.0123456789abcdef'])).toEqual({
      server: 'http://10.0.0.5:6443',
      token: 'abcdef.0123456789abcdef',
      foreground: false,
      networkMode: 'vxlan',
      kubeletPort: 10250,
      namePrefix: 'tkube-',
    });
    await expect(parseJoin(['http://10.0.0.5:6443'])).rejects.toThrow(/--token/);
    await expect(parseJoin(['http://10.0.0.5:6443', '--token', 't', '--network-mode', 'gre'])).rejects.toThrow();
  });
});
