import { describe, expect, it } from 'vitest';
import { routeSource } from './node-address.js';

describe('route source', () => {
  it('reads the source address of `ip route get`', () => {
    expect(routeSource('10.213.0.1 dev eth0 src 10.213.0.11 uid 0 \n    cache \n')).toBe('10.213.0.11');
    expect(routeSource('192.168.1.10 via 10.0.2.2 dev enp0s3 src 10.0.2.15 uid 0\n')).toBe('10.0.2.15');
    expect(routeSource('local 127.0.0.1 dev lo table local uid 0\n')).toBeUndefined();
  });
});
