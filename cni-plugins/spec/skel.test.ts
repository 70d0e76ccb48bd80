import { describe, expect, it } from 'vitest';
import { CniError } from './errors.js';
import { parseCniArgs, runPlugin, type CmdArgs, type PluginHandlers } from './skel.js';

interface Call {
  command: string;
  args: CmdArgs;
}

function harness(overrides: Partial<PluginHandlers> = {}) {
  const calls: Call[] = [];
  const handlers: PluginHandlers = {
    add: async (args) => {
      calls.push({ command: 'ADD', args });
      return { cniVersion: args.cniVersion, ips: [{ address: '10.0.0.2/24', interface: 0 }] };
    },
    del: async (args) => void calls.push({ command: 'DEL', args }),
    check: async (args) => void calls.push({ command: 'CHECK', args }),
    ...overrides,
  };
  const exec = async (env: Record<string, string>, stdin: string) => {
    let out = '';
    const code = await runPlugin(handlers, env, async () => stdin, (s) => (out += s));
    return { code, out, json: out === '' ? undefined : (JSON.parse(out) as Record<string, unknown>) };
  };
  return { calls, exec };
}

const env = { CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/x', CNI_IFNAME: 'eth0', CNI_ARGS: 'A=1;B=x=y', CNI_PATH: '/a:/b' };
const conf = (v = '1.0.0') => JSON.stringify({ cniVersion: v, name: 'n', type: 't' });

describe('runPlugin', () => {
  it('passes the environment and config to ADD and prints the result for the config version', async () => {
    const h = harness();
    const r = await h.exec({ ...env, CNI_COMMAND: 'ADD' }, conf('0.3.1'));
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ cniVersion: '0.3.1', ips: [{ address: '10.0.0.2/24', interface: 0, version: '4' }] });
    const args = h.calls[0]?.args;
    expect(args).toMatchObject({ containerId: 'c1', netns: '/var/run/netns/x', ifName: 'eth0', cniPath: ['/a', '/b'] });
    expect(args?.args).toEqual({ A: '1', B: 'x=y' });
  });

  it('prints nothing for a successful DEL, which needs no netns', async () => {
    const h = harness();
    const r = await h.exec({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c1', CNI_IFNAME: 'eth0' }, conf());
    expect(r).toMatchObject({ code: 0, out: '' });
    expect(h.calls.map((c) => c.command)).toEqual(['DEL']);
  });

  it('maps failures to spec error codes', async () => {
    const h = harness({
      add: async () => {
        throw new CniError(11, 'busy', 'retry');
      },
    });
    expect((await h.exec({ ...env, CNI_COMMAND: 'ADD' }, conf())).json).toEqual({ cniVersion: '1.0.0', code: 11, msg: 'busy', details: 'retry' });
    expect((await h.exec({ ...env, CNI_COMMAND: 'ADD' }, 'nope')).json).toMatchObject({ code: 6 });
    expect((await h.exec({ ...env, CNI_COMMAND: 'ADD' }, '{}')).json).toMatchObject({ code: 7 });
    expect((await h.exec({ ...env, CNI_COMMAND: 'ADD' }, conf('9.9.9'))).json).toMatchObject({ code: 1, cniVersion: '9.9.9' });
    expect((await h.exec({ ...env, CNI_COMMAND: 'FROB' }, conf())).json).toMatchObject({ code: 4 });
    expect((await h.exec({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_IFNAME: 'eth0' }, conf())).json).toMatchObject({
      code: 4,
      msg: expect.stringContaining('CNI_NETNS'),
    });
    expect((await h.exec({ ...env, CNI_CONTAINERID: '-bad id', CNI_COMMAND: 'ADD' }, conf())).json).toMatchObject({ code: 4 });
    expect((await h.exec({ ...env, CNI_IFNAME: 'much-too-long-name', CNI_COMMAND: 'ADD' }, conf())).json).toMatchObject({ code: 4 });
    expect((await h.exec({ ...env, CNI_ARGS: 'novalue', CNI_COMMAND: 'ADD' }, conf())).json).toMatchObject({ code: 4 });
    const err = await h.exec({ ...env, CNI_COMMAND: 'ADD' }, conf());
    expect(err.code).toBe(1);
  });

  it('refuses CHECK before 0.4.0 and STATUS/GC before 1.1.0 or without a handler', async () => {
    const h = harness();
    expect((await h.exec({ ...env, CNI_COMMAND: 'CHECK' }, conf('0.3.1'))).json).toMatchObject({ code: 1 });
    expect((await h.exec({ ...env, CNI_COMMAND: 'CHECK' }, conf('0.4.0'))).code).toBe(0);
    expect((await h.exec({ CNI_COMMAND: 'STATUS' }, conf('1.0.0'))).json).toMatchObject({ code: 1 });
    expect((await h.exec({ CNI_COMMAND: 'GC' }, conf('1.1.0'))).json).toMatchObject({ code: 1 });
    expect(h.calls.map((c) => c.command)).toEqual(['CHECK']);
  });

  it('answers VERSION without reading a config', async () => {
    const h = harness();
    const r = await h.exec({ CNI_COMMAND: 'VERSION' }, '');
    expect(r.json).toMatchObject({ cniVersion: '1.1.0', supportedVersions: expect.arrayContaining(['1.0.0']) });
  });

  it('parses CNI_ARGS', () => {
    expect(parseCniArgs('IgnoreUnknown=1;K8S_POD_NAME=web-0;')).toEqual({ IgnoreUnknown: '1', K8S_POD_NAME: 'web-0' });
    expect(parseCniArgs(undefined)).toEqual({});
  });
});
