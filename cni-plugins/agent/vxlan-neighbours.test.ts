import { describe, expect, it } from 'vitest';
import type { DesiredNeighbour } from './desired-state.js';
import { diffEntries } from './vxlan-neighbours.js';

describe('diffEntries (neighbours keyed by IP)', () => {
  it('writes new and changed entries and deletes the ones no peer wants', () => {
    const have: DesiredNeighbour[] = [
      { ip: '10.244.2.0', mac: '0e:6b:0a:f4:02:00' },
      { ip: '10.244.3.0', mac: '0e:6b:0a:f4:03:00' },
      { ip: '10.244.9.0', mac: '0e:6b:0a:f4:09:00' },
    ];
    const want: DesiredNeighbour[] = [
      { ip: '10.244.2.0', mac: '0e:6b:0a:f4:02:00' },
      { ip: '10.244.3.0', mac: '0e:6b:0a:f4:33:00' },
      { ip: '10.244.4.0', mac: '0e:6b:0a:f4:04:00' },
    ];
    const { put, del } = diffEntries(have, want, (n) => n.ip, (a, b) => a.mac === b.mac);
    expect(put.map((n) => n.ip)).toEqual(['10.244.3.0', '10.244.4.0']);
    expect(del.map((n) => n.ip)).toEqual(['10.244.9.0']);
  });
});
