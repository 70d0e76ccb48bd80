import { describe, expect, it } from 'vitest';
import { CidrAllocator, formatIpv4, parseCidr, parseIpv4 } from './cidr-allocator.js';

describe('IPv4 and CIDR parsing', () => {
  it('round-trips addresses and reduces a CIDR to its network address', () => {
    expect(formatIpv4(parseIpv4('10.244.3.7'))).toBe('10.244.3.7');
    expect(formatIpv4(parseIpv4('255.255.255.255'))).toBe('255.255.255.255');
    expect(parseCidr('10.244.3.7/16')).toEqual({ base: parseIpv4('10.244.0.0'), prefix: 16 });
  });

  it('rejects malformed input', () => {
    for (const bad of ['10.0.0/8', '10.0.0.256/8', '10.0.0.0/33', '10.0.0.0', 'x/8', '10.0.0.0/8/1']) {
      expect(() => parseCidr(bad), bad).toThrow();
    }
  });
});

describe('CidrAllocator', () => {
  it('hands out distinct /24 subnets of 10.244.0.0/16 in order', () => {
    const a = new CidrAllocator('10.244.0.0/16', 24);
    expect(a.capacity).toBe(256);
    expect([a.allocate(), a.allocate(), a.allocate()]).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
  });

  it('skips subnets occupied at start-up and never hands one out twice', () => {
    const a = new CidrAllocator('10.244.0.0/16', 24);
    expect(a.occupy('10.244.0.0/24')).toBe(true);
    expect(a.occupy('10.244.2.0/24')).toBe(true);
    const got = new Set<string>();
    for (let i = 0; i < 254; i++) got.add(a.allocate()!);
    expect(got.size).toBe(254);
    expect(got.has('10.244.0.0/24') || got.has('10.244.2.0/24')).toBe(false);
    expect(a.allocate()).toBeUndefined();
  });

  it('reuses a released subnet only after the others, and ignores foreign CIDRs', () => {
    const a = new CidrAllocator('10.0.0.0/30', 31);
    expect(a.allocate()).toBe('10.0.0.0/31');
    expect(a.allocate()).toBe('10.0.0.2/31');
    expect(a.allocate()).toBeUndefined();
    a.release('10.0.0.0/31');
    expect(a.isAllocated('10.0.0.0/31')).toBe(false);
    expect(a.allocate()).toBe('10.0.0.0/31');
    expect(a.occupy('192.168.0.0/31')).toBe(false);
    a.release('192.168.0.0/31');
    expect(a.allocatedCount).toBe(2);
  });

  it('lets a wider CIDR occupy every subnet it covers', () => {
    const a = new CidrAllocator('10.244.0.0/16', 24);
    a.occupy('10.244.0.0/23');
    expect(a.isAllocated('10.244.1.0/24')).toBe(true);
    expect(a.allocate()).toBe('10.244.2.0/24');
  });

  it('refuses a mask size that does not fit the cluster CIDR', () => {
    expect(() => new CidrAllocator('10.244.0.0/16', 8)).toThrow();
    expect(() => new CidrAllocator('10.244.0.0/16', 33)).toThrow();
  });
});
