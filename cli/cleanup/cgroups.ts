/** Pod cgroups of a home (from its records) and the runtime's empty `tkube` cgroup root, removed deepest first. */
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

export const CGROUP_MOUNT = '/sys/fs/cgroup';

/** The cgroup mount dirs to look in: the v2 root, or every v1 hierarchy. */
function hierarchies(): string[] {
  if (existsSync(join(CGROUP_MOUNT, 'cgroup.controllers'))) return [CGROUP_MOUNT];
  return readdirSync(CGROUP_MOUNT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.isSymbolicLink())
    .map((e) => join(CGROUP_MOUNT, e.name));
}

/** Removes dir and its descendants when none holds a process; false when some are still busy. */
function removeTree(dir: string): boolean {
  let ok = true;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) ok = removeTree(join(dir, e.name)) && ok;
  }
  try {
    rmdirSync(dir);
  } catch {
    ok = false;
  }
  return ok;
}

/** Removes the given cgroups (paths relative to the mount root) in every hierarchy. */
export function removeCgroups(paths: string[]): string[] {
  const removed: string[] = [];
  for (const h of hierarchies()) {
    for (const p of paths) {
      const dir = join(h, p);
      if (existsSync(dir) && removeTree(dir)) removed.push(dir);
    }
  }
  return removed;
}

/** The top-level `tkube` cgroup (the runtime's default pod parent, see runtime/server.ts) with no process left anywhere inside. */
export function removeEmptyTkubeCgroup(): string[] {
  const removed: string[] = [];
  for (const h of hierarchies()) {
    if (!existsSync(h)) continue;
    for (const e of readdirSync(h, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name !== 'tkube') continue;
      const dir = join(h, e.name);
      if (removeTree(dir)) removed.push(dir);
    }
  }
  return removed;
}

/** Every `tkube*` cgroup directory, at any depth (for snapshots). */
export function listTkubeCgroups(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.isSymbolicLink()) continue;
      const p = join(dir, e.name);
      if (e.name.startsWith('tkube')) out.push(p);
      else if (depth < 3) walk(p, depth + 1);
    }
  };
  walk(CGROUP_MOUNT, 0);
  return out;
}
