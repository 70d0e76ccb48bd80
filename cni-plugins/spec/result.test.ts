import { describe, expect, it } from 'vitest';
import { formatResult, mergeResults, type CniResult } from './result.js';

const own: CniResult = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'br' }, { name: 'veth1' }, { name: 'eth0', sandbox: '/ns' }],
  ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.1', interface: 2 }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.1' }],
  dns: {},
};

describe('results', () => {
  it('adds ips[].version for versions before 1.0.0 and drops it from 1.0.0', () => {
    expect(formatResult(own, '0.4.0').ips).toEqual([{ address: '10.0.0.2/24', gateway: '10.0.0.1', interface: 2, version: '4' }]);
    const legacy = { ...own, ips: [{ address: '10.0.0.2/24', version: '4' }] };
    expect(formatResult(legacy, '1.0.0').ips).toEqual([{ address: '10.0.0.2/24' }]);
    expect(formatResult(own, '1.0.0').cniVersion).toBe('1.0.0');
  });

  it('merges onto a prevResult, shifting interface indices and keeping its dns', () => {
    const prev: CniResult = {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'lo', sandbox: '/ns' }],
      ips: [{ address: '127.0.0.1/8', interface: 0 }],
      dns: { nameservers: ['10.96.0.10'] },
    };
    const merged = mergeResults(prev, own);
    expect(merged.interfaces?.map((i) => i.name)).toEqual(['lo', 'br', 'veth1', 'eth0']);
    expect(merged.ips?.map((i) => i.interface)).toEqual([0, 3]);
    expect(merged.routes).toEqual(own.routes);
    expect(merged.dns).toEqual({ nameservers: ['10.96.0.10'] });
    expect(mergeResults(undefined, own)).toBe(own);
  });
});
