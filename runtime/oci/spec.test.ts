import { describe, expect, it } from 'vitest';
import { effectiveCapabilities, DEFAULT_CAPABILITIES } from './capabilities.js';
import { buildSpec } from './spec.js';

const base = {
  args: ['sh'],
  env: ['A=1'],
  cwd: '',
  user: { uid: 1000, gid: 1000, additionalGids: [] },
  rootfs: '/r',
  readonlyRootfs: true,
  namespaces: [{ type: 'mount' as const }, { type: 'network' as const, path: '/run/netns/x' }],
  cgroupsPath: '/tkube/pod-1/c1',
  binds: [{ containerPath: '/etc/hosts', hostPath: '/s/hosts', readonly: false }, { containerPath: '/dev/shm', hostPath: '/s/shm', readonly: false }],
};

describe('buildSpec', () => {
  it('maps process, root, namespaces, cgroup and resources', () => {
    const s = buildSpec({ ...base, resources: { memoryLimit: 1 << 20, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000 } });
    expect(s.process.cwd).toBe('/');
    expect(s.process.user).toEqual({ uid: 1000, gid: 1000 });
    expect(s.root).toEqual({ path: '/r', readonly: true });
    expect(s.linux.namespaces).toEqual(base.namespaces);
    expect(s.linux.cgroupsPath).toBe('/tkube/pod-1/c1');
    expect(s.linux.resources.memory).toEqual({ limit: 1 << 20 });
    expect(s.linux.resources.cpu).toEqual({ shares: 512, quota: 50000, period: 100000 });
    expect(s.process.capabilities.bounding).toEqual([...DEFAULT_CAPABILITIES]);
    expect(s.hostname).toBeUndefined();
  });
  it('has the standard mounts and lets a user mount replace a default destination', () => {
    const s = buildSpec(base);
    const dests = s.mounts.map((m) => m.destination);
    for (const d of ['/proc', '/dev', '/dev/pts', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/etc/hosts']) expect(dests).toContain(d);
    expect(s.mounts.filter((m) => m.destination === '/dev/shm')).toEqual([{ destination: '/dev/shm', type: 'bind', source: '/s/shm', options: ['rbind', 'rw', 'rprivate'] }]);
    expect(s.linux.maskedPaths).toContain('/proc/kcore');
  });
  it('privileged containers get all capabilities, no masked paths and rw sysfs', () => {
    const s = buildSpec({ ...base, privileged: true, capabilities: effectiveCapabilities([], [], true) });
    expect(s.process.capabilities.bounding).toContain('CAP_SYS_ADMIN');
    expect(s.linux.maskedPaths).toEqual([]);
    expect(s.mounts.find((m) => m.destination === '/sys')?.options).toContain('rw');
  });
});

describe('effectiveCapabilities', () => {
  it('adds and drops with or without the CAP_ prefix', () => {
    const caps = effectiveCapabilities(['NET_ADMIN'], ['CAP_KILL', 'chown'], false);
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).not.toContain('CAP_KILL');
    expect(caps).not.toContain('CAP_CHOWN');
  });
  it('drop ALL keeps only the explicitly added ones', () => {
    expect(effectiveCapabilities(['NET_BIND_SERVICE'], ['ALL'], false)).toEqual(['CAP_NET_BIND_SERVICE']);
  });
});

describe('CappedBuffer', () => {
  it('keeps at most cap bytes and drops the rest', async () => {
    const { CappedBuffer } = await import('./oci-runtime.js');
    const b = new CappedBuffer(5);
    b.push(Buffer.from('abc'));
    b.push(Buffer.from('defgh'));
    b.push(Buffer.from('ij'));
    expect(b.toBuffer().toString()).toBe('abcde');
  });
});
