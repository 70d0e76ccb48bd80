import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { formatIpv4, parseCidr, parseIpv4 } from '../net/cidr.js';
import { CniError } from '../spec/errors.js';
import { allocate, lookup, release, releaseAllExcept, type IpRange } from './allocator.js';
import { IpStore } from './store.js';

const base = await mkdtemp(join(tmpdir(), 'tkt-ipam-'));
afterAll(() => rm(base, { recursive: true, force: true }));

function rangeOf(cidr: string): IpRange {
  const { subnet } = parseCidr(cidr)!;
  const broadcast = subnet.network + 2 ** (32 - subnet.prefix) - 1;
  return { subnet, start: subnet.network + 1, end: broadcast - 1, gateway: subnet.network + 1 };
}

let store: IpStore;
let n = 0;
beforeEach(() => {
  store = new IpStore(join(base, `net${n++}`));
});

describe('allocator', () => {
  it('skips the gateway, hands out distinct addresses and writes host-local style files', async () => {
    const range = rangeOf('10.9.0.0/24');
    const a = await allocate(store, range, 'ctr-a', 'eth0');
    const b = await allocate(store, range, 'ctr-b', 'eth0');
    expect(formatIpv4(a)).toBe('10.9.0.2');
    expect(formatIpv4(b)).toBe('10.9.0.3');
    expect(await readFile(join(store.dir, '10.9.0.2'), 'utf8')).toBe('ctr-a\r\neth0');
    expect(await readFile(join(store.dir, 'last_reserved_ip.0'), 'utf8')).toBe('10.9.0.3');
  });

  it('is idempotent per attachment and releases exactly that attachment', async () => {
    const range = rangeOf('10.9.1.0/24');
    const a = await allocate(store, range, 'ctr', 'eth0');
    expect(await allocate(store, range, 'ctr', 'eth0')).toBe(a);
    const b = await allocate(store, range, 'ctr', 'net1');
    expect(b).not.toBe(a);
    expect(await release(store, 'ctr', 'eth0')).toEqual([formatIpv4(a)]);
    expect(await lookup(store, 'ctr', 'eth0')).toBeUndefined();
    expect(await lookup(store, 'ctr', 'net1')).toBe(formatIpv4(b));
    expect(await release(store, 'ctr', 'eth0')).toEqual([]);
  });

  it('moves an attachment whose address fell out of a changed range', async () => {
    const a = await allocate(store, rangeOf('10.9.6.0/24'), 'ctr', 'eth0');
    const narrowed = { ...rangeOf('10.9.6.0/24'), start: parseIpv4('10.9.6.100')! };
    const b = await allocate(store, narrowed, 'ctr', 'eth0');
    expect(formatIpv4(b)).toBe('10.9.6.100');
    expect((await readdir(store.dir)).filter((f) => parseIpv4(f) !== undefined)).toEqual(['10.9.6.100']);
    expect(a).not.toBe(b);
  });

  it('allocates round-robin after the last reserved address and wraps around', async () => {
    const range = rangeOf('10.9.2.0/29'); // .1 gateway, .2-.6 allocatable
    const got: string[] = [];
    for (const id of ['a', 'b', 'c']) got.push(formatIpv4(await allocate(store, range, id, 'eth0')));
    await release(store, 'a', 'eth0');
    got.push(formatIpv4(await allocate(store, range, 'd', 'eth0')));
    got.push(formatIpv4(await allocate(store, range, 'e', 'eth0')));
    got.push(formatIpv4(await allocate(store, range, 'f', 'eth0'))); // wraps to the freed .2
    expect(got).toEqual(['10.9.2.2', '10.9.2.3', '10.9.2.4', '10.9.2.5', '10.9.2.6', '10.9.2.2']);
    await expect(allocate(store, range, 'g', 'eth0')).rejects.toMatchObject({ code: 101 });
    await expect(allocate(store, range, 'g', 'eth0')).rejects.toBeInstanceOf(CniError);
  });

  it('gives concurrent callers distinct addresses', async () => {
    const range = rangeOf('10.9.3.0/24');
    const ips = await Promise.all(Array.from({ length: 30 }, (_, i) => allocate(store, range, `c${i}`, 'eth0')));
    expect(new Set(ips).size).toBe(30);
    const files = (await readdir(store.dir)).filter((f) => parseIpv4(f) !== undefined);
    expect(files).toHaveLength(30);
  });

  it('breaks a lock left by a dead process', async () => {
    const range = rangeOf('10.9.4.0/24');
    await allocate(store, range, 'first', 'eth0');
    await writeFile(join(store.dir, 'tkube.lock'), '999999999');
    const ip = await allocate(store, range, 'second', 'eth0');
    expect(formatIpv4(ip)).toBe('10.9.4.3');
  });

  it('GC releases allocations not in the keep set', async () => {
    const range = rangeOf('10.9.5.0/24');
    await allocate(store, range, 'keep', 'eth0');
    await allocate(store, range, 'drop', 'eth0');
    const dropped = await releaseAllExcept(store, new Set(['keep/eth0']));
    expect(dropped.map((a) => a.containerId)).toEqual(['drop']);
    expect(await lookup(store, 'keep', 'eth0')).toBe('10.9.5.2');
  });
});
