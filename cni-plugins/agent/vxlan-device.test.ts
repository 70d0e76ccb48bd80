import { describe, expect, it } from 'vitest';
import { adoptable, type VxlanDeviceSpec } from './vxlan-device.js';

const spec: VxlanDeviceSpec = { name: 'tkube.1', vni: 1, port: 8472, localIp: '192.168.81.2', mac: '0e:6b:0a:f4:01:00', mtu: 1450, address: '10.244.1.0/32' };

function link(data: Record<string, unknown>, kind = 'vxlan') {
  return { ifname: 'tkube.1', linkinfo: { info_kind: kind, info_data: { id: 1, local: '192.168.81.2', port: 8472, learning: false, ...data } } };
}

describe('adoptable', () => {
  it('adopts a device with the same VNI, local address, port and no learning', () => {
    expect(adoptable(link({}), spec)).toBe(true);
  });

  it('refuses a device that differs in any tunnel parameter (it is re-created)', () => {
    expect(adoptable(link({ id: 2 }), spec)).toBe(false);
    expect(adoptable(link({ local: '192.168.81.9' }), spec)).toBe(false);
    expect(adoptable(link({ port: 4789 }), spec)).toBe(false);
    expect(adoptable(link({ learning: true }), spec)).toBe(false);
    expect(adoptable(link({}, 'bridge'), spec)).toBe(false);
    expect(adoptable(link({ link: 'eth1' }), { ...spec, underlay: 'eth0' })).toBe(false);
    expect(adoptable(link({ link: 'eth0' }), { ...spec, underlay: 'eth0' })).toBe(true);
  });
});
