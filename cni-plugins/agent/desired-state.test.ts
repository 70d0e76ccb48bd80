import { describe, expect, it } from 'vitest';
import { parseCidr } from '../net/cidr.js';
import { desiredState } from './desired-state.js';
import type { NodeNetInfo } from './node-view.js';

function info(name: string, podCidr: string, internalIp: string, vtepMac?: string): NodeNetInfo {
  return { name, podCidr, podSubnet: parseCidr(podCidr)!.subnet, internalIp, ...(vtepMac ? { vtepMac } : {}) };
}

const a = info('a', '10.244.0.0/24', '192.168.1.2', '0e:6b:0a:f4:00:00');
const b = info('b', '10.244.1.0/24', '192.168.2.2', '0e:6b:0a:f4:01:00');
const c = info('c', '10.244.2.0/24', '192.168.3.2');

describe('desiredState', () => {
  it('host-gw: one route per other node via its InternalIP, none to itself', () => {
    expect(desiredState('host-gw', a, [a, b, c], 1).routes).toEqual([
      { dst: '10.244.1.0/24', gateway: '192.168.2.2', onlink: false },
      { dst: '10.244.2.0/24', gateway: '192.168.3.2', onlink: false },
    ]);
    expect(desiredState('host-gw', a, [a, b], 1, 'eth0').routes[0]?.dev).toBe('eth0');
  });

  it('vxlan: onlink route via the peer .0, neighbour .0 → MAC, FDB MAC → InternalIP; peers without a VTEP wait', () => {
    const s = desiredState('vxlan', a, [a, b, c], 7);
    expect(s.routes).toEqual([{ dst: '10.244.1.0/24', gateway: '10.244.1.0', dev: 'tkube.7', onlink: true }]);
    expect(s.neighbours).toEqual([{ ip: '10.244.1.0', mac: '0e:6b:0a:f4:01:00' }]);
    expect(s.fdb).toEqual([{ mac: '0e:6b:0a:f4:01:00', dst: '192.168.2.2' }]);
  });

  it('skips peers whose pod CIDR overlaps ours or a peer already routed', () => {
    const clash = info('z', '10.244.0.0/23', '192.168.9.9');
    const dup = info('b2', '10.244.1.0/24', '192.168.9.8');
    expect(desiredState('host-gw', a, [a, b, clash, dup], 1).routes.map((r) => r.gateway)).toEqual(['192.168.2.2']);
  });
});
