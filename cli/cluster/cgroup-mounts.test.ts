import { describe, expect, it } from 'vitest';
import { cgroupMountScript, parseCgroupMounts } from './cgroup-mounts.js';

const hybrid = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
22 1 0:20 / /sys rw - sysfs sysfs rw`;

describe('cgroup mounts for ip netns exec', () => {
  it('reads the hierarchies of a hybrid (v1 + unified) host', () => {
    expect(parseCgroupMounts(hybrid)).toEqual([
      { mountPoint: '/sys/fs/cgroup', fsType: 'tmpfs', options: 'mode=755' },
      { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', fsType: 'cgroup', options: 'cpu,cpuacct' },
      { mountPoint: '/sys/fs/cgroup/memory', fsType: 'cgroup', options: 'memory' },
      { mountPoint: '/sys/fs/cgroup/systemd', fsType: 'cgroup', options: 'none,name=systemd' },
      { mountPoint: '/sys/fs/cgroup/unified', fsType: 'cgroup2', options: '' },
    ]);
  });

  it('reads a pure cgroup2 host', () => {
    expect(parseCgroupMounts('30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot')).toEqual([
      { mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', options: '' },
    ]);
  });

  it('writes a script that mounts them in order, recreates the symlinks and execs the command', () => {
    const script = cgroupMountScript(parseCgroupMounts(hybrid), [['cpu', 'cpu,cpuacct']]);
    expect(script.split('\n')).toEqual([
      'set -e',
      'mount -t tmpfs -o mode=755 tkube-cgroup /sys/fs/cgroup',
      'mkdir -p /sys/fs/cgroup/cpu,cpuacct',
      'mount -t cgroup -o cpu,cpuacct cgroup /sys/fs/cgroup/cpu,cpuacct',
      'mkdir -p /sys/fs/cgroup/memory',
      'mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory',
      'mkdir -p /sys/fs/cgroup/systemd',
      'mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd',
      'mkdir -p /sys/fs/cgroup/unified',
      'mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified',
      'ln -sfn cpu,cpuacct /sys/fs/cgroup/cpu',
      'exec "$@"',
    ]);
  });
});
