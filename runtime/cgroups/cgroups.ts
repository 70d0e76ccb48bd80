// cgroup helpers for the cgroupfs driver on v1 (one hierarchy per controller)
// and v2 (unified). Paths are "cgroupsPath" style: absolute, relative to the mount root.
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';

export type CgroupVersion = 1 | 2;

export function detectCgroupVersion(root = CGROUP_ROOT): CgroupVersion {
  return existsSync(path.join(root, 'cgroup.controllers')) ? 2 : 1;
}

/** Every directory that holds `cgPath`: one per v1 hierarchy, or the one v2 directory. */
export function cgroupDirs(cgPath: string, version: CgroupVersion, root = CGROUP_ROOT): string[] {
  const rel = cgPath.replace(/^\/+/, '');
  if (version === 2) return [path.join(root, rel)];
  const dirs: string[] = [];
  for (const ent of readdirSync(root, { withFileTypes: true })) {
    // Skip the v1 "unified" and named hierarchies' symlinks (cpu -> cpu,cpuacct).
    if (!ent.isDirectory() || ent.isSymbolicLink()) continue;
    dirs.push(path.join(root, ent.name, rel));
  }
  return dirs;
}

/**
 * Removes a cgroup and its (empty) descendants, deepest first. rmdir fails with
 * EBUSY while processes remain; that is reported to the caller.
 */
export async function removeCgroup(cgPath: string, version: CgroupVersion, root = CGROUP_ROOT): Promise<void> {
  for (const dir of cgroupDirs(cgPath, version, root)) {
    await removeTree(dir);
  }
}

async function removeTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const ent of entries) {
    if (ent.isDirectory()) await removeTree(path.join(dir, ent.name));
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // A cgroup whose last process just exited can stay busy for a moment.
      if (code === 'EBUSY' && attempt < 20) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      throw e;
    }
  }
}

/** The kernel's count of OOM kills inside the cgroup (0 when unknown). */
export async function oomKillCount(cgPath: string, version: CgroupVersion, root = CGROUP_ROOT): Promise<number> {
  const rel = cgPath.replace(/^\/+/, '');
  const file =
    version === 2 ? path.join(root, rel, 'memory.events') : path.join(root, 'memory', rel, 'memory.oom_control');
  try {
    const text = await fs.readFile(file, 'utf8');
    const m = /^oom_kill (\d+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
