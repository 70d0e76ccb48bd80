import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../net/cidr.js';
import { parseBridgeConfig } from './config.js';

const base = { cniVersion: '1.0.0', name: 'pods', type: 'tkube-bridge' };

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: number }).code;
  }
  return undefined;
}

describe('parseBridgeConfig', () => {
  it('applies the defaults and takes the range from podCIDR', () => {
    const net = parseBridgeConfig({ ...base, podCIDR: '10.244.3.0/24' });
    expect(net.conf.bridge).toBe('tkube0');
    expect(net.isGateway).toBe(false);
    expect(formatIpv4(net.range.start)).toBe('10.244.3.1');
    expect(formatIpv4(net.range.end)).toBe('10.244.3.254');
    expect(formatIpv4(net.range.gateway)).toBe('10.244.3.1');
    expect(net.routes).toEqual([{ dst: '0.0.0.0/0', gw: '10.244.3.1' }]);
    expect(net.storeDir).toBe('/var/lib/cni/networks/pods');
  });

  it('prefers ipam.subnet and honours range, gateway, routes and dataDir', () => {
    const net = parseBridgeConfig({
      ...base,
      podCIDR: '10.1.0.0/16',
      isDefaultGateway: true,
      ipam: {
        subnet: '10.2.0.0/24',
        rangeStart: '10.2.0.10',
        rangeEnd: '10.2.0.20',
        gateway: '10.2.0.254',
        routes: [{ dst: '10.96.0.0/12' }],
        dataDir: '/tmp/x',
      },
    });
    expect(net.isGateway).toBe(true);
    expect([net.range.start, net.range.end, net.range.gateway].map(formatIpv4)).toEqual(['10.2.0.10', '10.2.0.20', '10.2.0.254']);
    expect(net.routes).toEqual([
      { dst: '10.96.0.0/12', gw: '10.2.0.254' },
      { dst: '0.0.0.0/0', gw: '10.2.0.254' },
    ]);
    expect(net.storeDir).toBe('/tmp/x/pods');
  });

  it("accepts host-local's ranges form with a single range", () => {
    const net = parseBridgeConfig({
      ...base,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.3.0.0/24', rangeStart: '10.3.0.100' }]] },
    });
    expect(formatIpv4(net.range.start)).toBe('10.3.0.100');
    expect(formatIpv4(net.range.gateway)).toBe('10.3.0.1');
    const two = { subnet: '10.3.0.0/24' };
    expect(codeOf(() => parseBridgeConfig({ ...base, ipam: { ranges: [[two], [two]] } }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, ipam: { ranges: [[two]], subnet: '10.4.0.0/24' } }))).toBe(7);
  });

  it('rejects invalid configurations with code 7', () => {
    expect(codeOf(() => parseBridgeConfig({ ...base }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, podCIDR: '10.0.0.0/31' }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, podCIDR: 'fd00::/64' }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, podCIDR: '10.0.0.0/24', bridge: 'a-bridge-name-too-long' }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, podCIDR: '10.0.0.0/24', mtu: 20 }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, ipam: { subnet: '10.0.0.0/24', gateway: '10.0.1.1' } }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, ipam: { subnet: '10.0.0.0/24', rangeStart: '10.0.0.0' } }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, ipam: { type: 'dhcp', subnet: '10.0.0.0/24' } }))).toBe(7);
    expect(codeOf(() => parseBridgeConfig({ ...base, name: '../etc', podCIDR: '10.0.0.0/24' }))).toBe(7);
  });
});
