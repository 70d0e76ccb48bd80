import { describe, expect, it } from 'vitest';
import type { Node } from '../../api/types/node.js';
import { annotationPatch, desiredAnnotations, nodeNetInfo, vtepAddress, vtepMacFor } from './node-view.js';

function node(name: string, podCIDR?: string, ip?: string, annotations?: Record<string, string>): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: podCIDR ? { podCIDR } : {},
    status: ip ? { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] } : {},
  };
}

describe('nodeNetInfo', () => {
  it('reads pod CIDR (normalised), InternalIP and the published VTEP MAC', () => {
    const info = nodeNetInfo(node('a', '10.244.3.7/24', '192.168.5.2', { 'tkube.io/vtep-mac': '0E:6B:0A:F4:03:00', 'tkube.io/backend-type': 'vxlan' }));
    expect(info).toMatchObject({ name: 'a', podCidr: '10.244.3.0/24', internalIp: '192.168.5.2', vtepMac: '0e:6b:0a:f4:03:00', backendType: 'vxlan' });
    expect(vtepAddress(info!)).toBe('10.244.3.0');
  });

  it('is undefined without a podCIDR or an IPv4 InternalIP, and ignores a malformed MAC', () => {
    expect(nodeNetInfo(node('a', undefined, '192.168.5.2'))).toBeUndefined();
    expect(nodeNetInfo(node('a', '10.244.3.0/24'))).toBeUndefined();
    expect(nodeNetInfo(node('a', '10.244.3.0/24', 'fd00::2'))).toBeUndefined();
    expect(nodeNetInfo(node('a', 'garbage', '192.168.5.2'))).toBeUndefined();
    expect(nodeNetInfo(node('a', '10.244.3.0/24', '192.168.5.2', { 'tkube.io/vtep-mac': 'nope' }))?.vtepMac).toBeUndefined();
  });
});

describe('VTEP MAC and annotations', () => {
  it('derives a stable locally administered unicast MAC from the VTEP address', () => {
    expect(vtepMacFor('10.244.1.0')).toBe('0e:6b:0a:f4:01:00');
    expect(parseInt(vtepMacFor('10.244.1.0').slice(0, 2), 16) & 0b11).toBe(0b10); // local, unicast
  });

  it('patches only what differs, and removes the VTEP MAC in host-gw mode', () => {
    const n = node('a', '10.244.1.0/24', '192.168.5.2', { 'tkube.io/backend-type': 'vxlan', 'tkube.io/public-ip': '192.168.5.2', 'tkube.io/vtep-mac': '0e:6b:0a:f4:01:00' });
    expect(annotationPatch(n, desiredAnnotations('vxlan', '192.168.5.2', '0e:6b:0a:f4:01:00'))).toBeUndefined();
    expect(annotationPatch(n, desiredAnnotations('host-gw', '192.168.5.2', undefined))).toEqual({ 'tkube.io/backend-type': 'host-gw', 'tkube.io/vtep-mac': null });
    expect(annotationPatch(node('b', '10.244.2.0/24', '192.168.5.3'), desiredAnnotations('host-gw', '192.168.5.3', undefined))).toEqual({
      'tkube.io/backend-type': 'host-gw',
      'tkube.io/public-ip': '192.168.5.3',
    });
  });
});
