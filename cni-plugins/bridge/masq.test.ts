import { describe, expect, it } from 'vitest';
import { splitRuleLine } from './masq.js';

describe('splitRuleLine', () => {
  it('splits iptables -S output, keeping quoted comments whole and unescaped', () => {
    const line = '-A POSTROUTING -s 10.1.0.5/32 -m comment --comment "name: \\"pods\\" id: \\"abc\\"" -j TKUBE-MASQ-0123456789abcdef';
    expect(splitRuleLine(line)).toEqual([
      '-A', 'POSTROUTING', '-s', '10.1.0.5/32', '-m', 'comment', '--comment', 'name: "pods" id: "abc"', '-j', 'TKUBE-MASQ-0123456789abcdef',
    ]);
    expect(splitRuleLine('-N TKUBE-MASQ-x')).toEqual(['-N', 'TKUBE-MASQ-x']);
    expect(splitRuleLine('')).toEqual([]);
  });
});
