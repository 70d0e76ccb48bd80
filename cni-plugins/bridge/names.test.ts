import { describe, expect, it } from 'vitest';
import { hostVethName, masqChainName, masqComment } from './names.js';

describe('derived names', () => {
  it('fit the kernel and iptables limits and are stable per attachment', () => {
    const id = 'f'.repeat(64);
    expect(hostVethName('net', id, 'eth0')).toMatch(/^veth[0-9a-f]{11}$/);
    expect(hostVethName('net', id, 'eth0')).toBe(hostVethName('net', id, 'eth0'));
    expect(hostVethName('net', id, 'eth1')).not.toBe(hostVethName('net', id, 'eth0'));
    expect(hostVethName('other', id, 'eth0')).not.toBe(hostVethName('net', id, 'eth0'));
    expect(masqChainName('net', id, 'eth0')).toMatch(/^TKUBE-MASQ-[0-9a-f]{16}$/);
    expect(masqChainName('net', id, 'eth0').length).toBeLessThanOrEqual(28);
    expect(masqChainName('other', id, 'eth0')).not.toBe(masqChainName('net', id, 'eth0'));
    expect(masqComment('net', 'abc')).toBe('name: "net" id: "abc"');
  });
});
