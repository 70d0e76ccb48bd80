import { describe, expect, it } from 'vitest';
import { chainScript, chainSpecs } from './iptables-rules.js';

describe('chainScript', () => {
  it('declares (and so flushes) the chain, writes its rules, and inserts the jump first when asked', () => {
    const nat = chainSpecs('10.244.0.0/16').find((s) => s.table === 'nat')!;
    const lines = chainScript(nat, true).split('\n');
    expect(lines[0]).toBe('*nat');
    expect(lines[1]).toBe(':TKUBE-POSTROUTING - [0:0]');
    expect(lines).toContain('-A TKUBE-POSTROUTING -s 10.244.0.0/16 -d 10.244.0.0/16 -j ACCEPT');
    expect(lines).toContain('-A TKUBE-POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE --random-fully');
    expect(lines).toContain('-I POSTROUTING 1 -m comment --comment "tkube network-agent" -j TKUBE-POSTROUTING');
    // pod → pod must be decided before pod → outside is masqueraded
    expect(lines.findIndex((l) => l.includes('-j ACCEPT'))).toBeLessThan(lines.findIndex((l) => l.includes('MASQUERADE')));
    expect(chainScript(nat, false)).not.toContain('-I POSTROUTING');
  });
});
