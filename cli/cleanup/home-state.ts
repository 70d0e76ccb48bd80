/**
 * What a tkube home says it created on the host: the runtime state directories (the
 * single node's and, for `up --nodes N`, one per node) and, from their records, the
 * pod sandboxes (netns, pod cgroup), containers, runc roots and cached CNI attachments.
 * Read straight from the files, so it works after a crash, with no process running.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxTrace {
  id: string;
  netnsName?: string;
  podCgroup?: string;
}

export interface RuntimeStateDir {
  dir: string;
  /** runc/crun --root of this runtime. */
  ociRoot: string;
  sandboxes: SandboxTrace[];
  /** Container ids, with their cgroup (relative to the cgroup mount root). */
  containers: { id: string; cgroupPath?: string }[];
  /** Files `<dir>/cni/<sandbox id>.json`: network, attachment and result for CNI DEL. */
  cniCaches: string[];
}

export interface HomeState {
  home: string;
  runtimes: RuntimeStateDir[];
  /** Names of per-node state dirs under <home>/nodes (multi-node `up`). */
  nodes: string[];
}

function readJsonFiles(dir: string): Record<string, unknown>[] {
  if (!existsSync(dir)) return [];
  const out: Record<string, unknown>[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const v: unknown = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      if (v && typeof v === 'object') out.push(v as Record<string, unknown>);
    } catch {
      /* half-written record: nothing to learn from it */
    }
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function readRuntimeState(dir: string): RuntimeStateDir {
  const sandboxes = readJsonFiles(join(dir, 'sandboxes'))
    .filter((r) => str(r.id))
    .map((r) => ({ id: str(r.id)!, netnsName: str(r.netnsName), podCgroup: str(r.podCgroup) }));
  const containers = readJsonFiles(join(dir, 'containers'))
    .filter((r) => str(r.id))
    .map((r) => ({ id: str(r.id)!, cgroupPath: str(r.cgroupPath) }));
  const cniDir = join(dir, 'cni');
  const cniCaches = existsSync(cniDir) ? readdirSync(cniDir).filter((n) => n.endsWith('.json')).map((n) => join(cniDir, n)) : [];
  return { dir, ociRoot: join(dir, 'oci'), sandboxes, containers, cniCaches };
}

export function readHomeState(home: string): HomeState {
  const dirs: string[] = [];
  if (existsSync(join(home, 'runtime'))) dirs.push(join(home, 'runtime'));
  const nodesDir = join(home, 'nodes');
  const nodes = existsSync(nodesDir) ? readdirSync(nodesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
  for (const node of nodes) {
    const d = join(nodesDir, node, 'runtime');
    if (existsSync(d)) dirs.push(d);
  }
  return { home, runtimes: dirs.map(readRuntimeState), nodes };
}

/** Every id (sandbox and container) the home's runtimes know: CNI and iptables comments carry them. */
export function knownIds(state: HomeState): Set<string> {
  const ids = new Set<string>();
  for (const rt of state.runtimes) {
    for (const s of rt.sandboxes) ids.add(s.id);
    for (const c of rt.containers) ids.add(c.id);
    for (const f of rt.cniCaches) ids.add(f.replace(/^.*\//, '').replace(/\.json$/, ''));
  }
  return ids;
}
