/** Mount points under a directory (overlay rootfs, pod /dev/shm, tmpfs volumes), unmounted deepest first. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** /proc/self/mounts escapes spaces and the like as \ooo octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => unescapeMount(l.split(' ')[1] ?? ''))
    .filter((m) => m === dir || m.startsWith(prefix));
}

/** Unmounts (lazily, so a busy one goes too) until nothing is mounted under dir. */
export async function unmountAllUnder(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (let round = 0; round < 5; round++) {
    const mounts = [...new Set(mountsUnder(dir))].sort((a, b) => b.length - a.length);
    if (mounts.length === 0) break;
    for (const m of mounts) {
      try {
        await run('umount', ['-l', m]);
        if (!removed.includes(m)) removed.push(m);
      } catch {
        /* stacked mounts: the next round sees what is left */
      }
    }
  }
  return removed;
}
