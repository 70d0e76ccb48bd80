import { describe, expect, it } from 'vitest';
import { broadcastOf, formatIpv4, formatSubnet, macForIpv4, parseCidr, parseIpv4, subnetContains } from './cidr.js';

describe('IPv4 arithmetic', () => {
  it('parses and formats addresses, rejecting malformed ones', () => {
    expect(parseIpv4('10.1.2.3')).toBe(0x0a010203);
    expect(formatIpv4(0xc0a80001)).toBe('192.168.0.1');
    expect(parseIpv4('256.1.1.1')).toBeUndefined();
    expect(parseIpv4('10.1.2')).toBeUndefined();
    expect(parseIpv4('fd00::1')).toBeUndefined();
  });

  it('parses CIDRs into network, prefix and broadcast', () => {
    const c = parseCidr('10.22.5.9/16');
    expect(c).toBeDefined();
    expect(formatIpv4(c!.ip)).toBe('10.22.5.9');
    expect(formatSubnet(c!.subnet)).toBe('10.22.0.0/16');
    expect(formatIpv4(broadcastOf(c!.subnet))).toBe('10.22.255.255');
    expect(subnetContains(c!.subnet, parseIpv4('10.22.200.1')!)).toBe(true);
    expect(subnetContains(c!.subnet, parseIpv4('10.23.0.1')!)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
    expect(formatSubnet(parseCidr('0.0.0.0/0')!.subnet)).toBe('0.0.0.0/0');
  });

  it('derives a locally administered MAC from an address', () => {
    expect(macForIpv4(parseIpv4('10.244.1.7')!)).toBe('0a:58:0a:f4:01:07');
  });
});
