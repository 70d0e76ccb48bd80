// A container rootfs: overlayfs of the image's layers (read-only, top first)
// plus a per-container writable upper directory.
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { execFile, run } from '../util/exec.js';

export interface OverlayPaths { rootfs: string; upper: string; work: string }

export function overlayPaths(dir: string): OverlayPaths {
  return { rootfs: path.join(dir, 'rootfs'), upper: path.join(dir, 'upper'), work: path.join(dir, 'work') };
}

export async function mountOverlay(layersTopFirst: string[], dir: string): Promise<string> {
  if (layersTopFirst.length === 0) throw new Error('image has no layers');
  const p = overlayPaths(dir);
  for (const d of [p.rootfs, p.upper, p.work]) await fs.mkdir(d, { recursive: true });
  if (isMountPoint(p.rootfs)) return p.rootfs;
  const opts = `lowerdir=${layersTopFirst.join(':')},upperdir=${p.upper},workdir=${p.work}`;
  await run('mount', ['-t', 'overlay', 'overlay', '-o', opts, p.rootfs]);
  return p.rootfs;
}

/** Unmounts (lazily if busy) and removes the overlay's directories. */
export async function removeOverlay(dir: string): Promise<void> {
  const p = overlayPaths(dir);
  if (isMountPoint(p.rootfs)) {
    const r = await execFile('umount', [p.rootfs]);
    if (r.code !== 0 && isMountPoint(p.rootfs)) await run('umount', ['-l', p.rootfs]);
  }
}

export function isMountPoint(target: string): boolean {
  if (!existsSync(target)) return false;
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  const resolved = path.resolve(target);
  return mounts.split('\n').some((l) => unescapeMountPath(l.split(' ')[4] ?? '') === resolved);
}

function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** A size-limited tmpfs for a pod's /dev/shm. */
export async function mountShm(target: string, sizeBytes = 64 * 1024 * 1024): Promise<void> {
  await fs.mkdir(target, { recursive: true });
  if (isMountPoint(target)) return;
  await run('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,noexec,mode=1777,size=${sizeBytes}`, 'shm', target]);
}

export async function unmountIfMounted(target: string): Promise<void> {
  if (!isMountPoint(target)) return;
  const r = await execFile('umount', [target]);
  if (r.code !== 0 && isMountPoint(target)) await run('umount', ['-l', target]);
}
