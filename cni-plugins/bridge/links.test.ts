import { describe, expect, it } from 'vitest';
import { batchToken } from './links.js';

describe('batchToken', () => {
  it('passes ordinary names and netns paths through', () => {
    expect(batchToken('/var/run/netns/cni-1234-abcd', 'CNI_NETNS')).toBe('/var/run/netns/cni-1234-abcd');
    expect(batchToken('/proc/4242/ns/net', 'CNI_NETNS')).toBe('/proc/4242/ns/net');
    expect(batchToken('eth0', 'CNI_IFNAME')).toBe('eth0');
  });

  it('refuses anything that could change an ip -batch line, with code 4', () => {
    for (const bad of ['', 'a b', 'x"y', "x'y", 'x\\y', 'a\nlink del eth0', 'a#b', 'tab\there']) {
      expect(() => batchToken(bad, 'CNI_NETNS'), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 4 }));
    }
  });
});
