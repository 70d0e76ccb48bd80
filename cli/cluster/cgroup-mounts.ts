/**
 * `ip netns exec` gives the command a fresh /sys for the target network namespace, and
 * with it an empty /sys/fs/cgroup: the runtime and runc in a netns node would find no
 * cgroup hierarchy. This mounts the host's hierarchies again inside the command's own
 * mount namespace (mounting a cgroup v1 hierarchy with the same controllers, or cgroup2,
 * attaches the same hierarchy, so paths and limits are the host's), then execs the command.
 * Nothing is mounted in the host's mount namespace.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface CgroupMount {
  mountPoint: string;
  fsType: 'tmpfs' | 'cgroup' | 'cgroup2';
  /** For cgroup (v1): the -o options that select the hierarchy ("cpu", "none,name=systemd", ...). */
  options: string;
}

/** Super options that are not controllers or hierarchy names. */
const NON_CONTROLLER = /^(rw|ro|xattr|clone_children|noprefix|cpuset_v2_mode|favordynmods|release_agent=.*|nsdelegate|memory_recursiveprot|memory_localevents)$/;

/** The mounts at and below /sys/fs/cgroup, from /proc/self/mountinfo text, in mount order. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4] ?? '';
    if (mountPoint !== '/sys/fs/cgroup' && !mountPoint.startsWith('/sys/fs/cgroup/')) continue;
    const [fsType, , superOptions = ''] = right.split(' ');
    if (fsType === 'tmpfs' && mountPoint === '/sys/fs/cgroup') out.push({ mountPoint, fsType, options: 'mode=755' });
    else if (fsType === 'cgroup2') out.push({ mountPoint, fsType, options: '' });
    else if (fsType === 'cgroup') {
      const selectors = superOptions.split(',').filter((o) => o && !NON_CONTROLLER.test(o));
      const hasController = selectors.some((s) => !s.startsWith('name='));
      out.push({ mountPoint, fsType, options: hasController ? selectors.join(',') : ['none', ...selectors].join(',') });
    }
  }
  return out;
}

/** Symlinks in the host's /sys/fs/cgroup tmpfs (cpu -> cpu,cpuacct on some systems). */
function cgroupSymlinks(root = '/sys/fs/cgroup'): [string, string][] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isSymbolicLink())
      .map((e) => [e.name, readlinkSync(`${root}/${e.name}`)]);
  } catch {
    return [];
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A `sh -c` script that mounts the hierarchies, then execs "$@". */
export function cgroupMountScript(mounts: CgroupMount[], symlinks: [string, string][] = []): string {
  const lines = ['set -e'];
  for (const m of mounts) {
    if (m.fsType === 'tmpfs') lines.push(`mount -t tmpfs -o ${m.options} tkube-cgroup /sys/fs/cgroup`);
    else lines.push(`mkdir -p ${shellQuote(m.mountPoint)}`, `mount -t ${m.fsType}${m.options ? ` -o ${shellQuote(m.options)}` : ''} ${m.fsType} ${shellQuote(m.mountPoint)}`);
  }
  if (mounts.some((m) => m.fsType === 'tmpfs')) {
    for (const [name, target] of symlinks) lines.push(`ln -sfn ${shellQuote(target)} ${shellQuote(`/sys/fs/cgroup/${name}`)}`);
  }
  lines.push('exec "$@"');
  return lines.join('\n');
}

/** The command line that runs `command args` in a named netns with the host's cgroups visible. */
export function netnsExecCommand(netns: string, command: string, args: string[]): { command: string; args: string[] } {
  const script = cgroupMountScript(parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')), cgroupSymlinks());
  return { command: 'ip', args: ['netns', 'exec', netns, 'sh', '-c', script, 'tkube-netns-exec', command, ...args] };
}
