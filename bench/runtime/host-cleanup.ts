/**
 * Removes everything the runtime benchmark may have left on the host, whatever state a
 * failure left it in: conmon processes of its state dir, runc containers of its roots,
 * mounts under its work dir, its netns (by prefix), bridge and cgroups, then the dir.
 */
import { existsSync, promises as fs, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execFile } from '../../runtime/util/exec.js';

export interface BenchHostResources {
  workDir: string;
  stateDir: string;
  runc: string;
  runcRoots: string[];
  netnsPrefix: string;
  bridge: string;
  cgroupRoot: string;
}

function isOurConmon(pid: string, stateDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return path.basename(argv.split('\0')[0] ?? '') === 'conmon' && argv.includes(stateDir);
  } catch {
    return false;
  }
}

export async function cleanupBenchHost(r: BenchHostResources): Promise<void> {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (isOurConmon(pid, r.stateDir)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  for (const root of r.runcRoots) {
    if (!existsSync(root)) continue;
    for (const id of readdirSync(root)) await execFile(r.runc, ['--root', root, 'delete', '--force', id]);
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '');
  for (const mp of mounts.filter((m) => m.startsWith(`${r.workDir}/`)).reverse()) await execFile('umount', ['-l', mp]);
  const netns = (await execFile('ip', ['netns', 'list'])).stdout.toString().split('\n').map((l) => l.split(' ')[0] ?? '');
  for (const ns of netns.filter((n) => n.startsWith(r.netnsPrefix))) await execFile('ip', ['netns', 'delete', ns]);
  await execFile('ip', ['link', 'delete', r.bridge]);
  for (const ctl of readdirSync('/sys/fs/cgroup')) {
    const dir = path.join('/sys/fs/cgroup', ctl, r.cgroupRoot);
    if (existsSync(dir)) await execFile('find', [dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
  }
  await fs.rm(r.workDir, { recursive: true, force: true });
}
