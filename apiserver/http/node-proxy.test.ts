import { describe, expect, it } from 'vitest';
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import { kubeletAddress, kubeletPath } from './node-proxy.js';

const pod = (containers: string[]) => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n', containers: containers.map((name) => ({ name })) } }) as unknown as Pod;

describe('node proxy', () => {
  it('maps subresources to kubelet paths', () => {
    expect(kubeletPath(pod(['a']), 'log', new URLSearchParams('follow=true&tailLines=5'))).toBe('/containerLogs/ns/p/a?follow=true&tailLines=5');
    expect(kubeletPath(pod(['a', 'b']), 'exec', new URLSearchParams('container=b&command=sh&command=-c&stdout=true'))).toBe('/exec/ns/p/b?command=sh&command=-c&stdout=true');
    expect(() => kubeletPath(pod(['a', 'b']), 'attach', new URLSearchParams())).toThrow(/choose one of: \[a b\]/);
    expect(() => kubeletPath(pod(['a']), 'log', new URLSearchParams('container=zz'))).toThrow(/not valid/);
  });

  it('finds the kubelet from the node addresses and daemon endpoint', () => {
    const node = { metadata: { name: 'n' }, spec: {}, status: { addresses: [{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.2' }], daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } } } as unknown as Node;
    expect(kubeletAddress(node)).toEqual({ host: '10.0.0.2', port: 12345 });
    expect(kubeletAddress({ metadata: { name: 'n' }, spec: {}, status: { addresses: [{ type: 'Hostname', address: 'h' }] } } as unknown as Node)).toEqual({ host: 'h', port: 10250 });
    expect(() => kubeletAddress({ metadata: { name: 'n' }, spec: {}, status: {} } as unknown as Node)).toThrow(/no address/);
  });
});
