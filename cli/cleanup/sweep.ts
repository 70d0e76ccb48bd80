/**
 * Removes everything one tkube home put on the host, whatever state it is in: after a
 * clean stop it finds nothing; after a crash it finds the processes, containers, CNI
 * attachments, iptables rules, mounts, network namespaces, links and cgroups. Shared by
 * `tkube down` and by `tkube up`'s own Ctrl-C path (as the final check).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeCgroups, removeEmptyTkubeCgroup } from './cgroups.js';
import { cniDelCached } from './cni-del.js';
import { deleteContainers } from './containers.js';
import { knownIds, readHomeState, type HomeState } from './home-state.js';
import { removeIptablesLeftovers } from './iptables.js';
import { deleteBridgeIfUnused, deleteLink, listLinks } from './links.js';
import { unmountAllUnder } from './mounts.js';
import { deleteNetns, isMultiNodeNetns, listNetns } from './netns.js';
import { describeProcess, findHomeProcesses, findUpProcess, isAlive, killAll } from './processes.js';

/** The CNI bridge of the single-node cluster (the kubelet's --cni-bridge default). */
export const LOCAL_BRIDGE = 'tkube0';

export interface SweepOptions {
  /** How long a running `up` gets to stop by itself (SIGTERM) before it is killed. */
  upGraceMs?: number;
  /** Reports each thing removed, as it happens. */
  onRemoved?: (what: string) => void;
  onWarning?: (what: string) => void;
}

function podCgroups(state: HomeState): string[] {
  return state.runtimes.flatMap((rt) => rt.sandboxes.map((s) => s.podCgroup).filter((c): c is string => c !== undefined));
}

async function stopUp(home: string, graceMs: number, removed: (w: string) => void): Promise<void> {
  const up = findUpProcess(home);
  if (!up) return;
  process.kill(up.pid, 'SIGTERM'); // a live `up` cleans up after itself, in order
  const deadline = Date.now() + graceMs;
  while (isAlive(up.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(up.pid)) await killAll([up]);
  removed(`process ${describeProcess(up)} (tkube up)`);
}

/** Forgets the runtime records of pods that no longer exist on the host, so the next runtime starts clean. */
function forgetRecords(dir: string): void {
  for (const sub of ['sandboxes', 'containers', 'cni', 'oci', 'exits', 'sock', 'exec', 'pods', 'ctrs']) {
    rmSync(join(dir, sub), { recursive: true, force: true });
  }
}

export async function sweepHome(home: string, opts: SweepOptions = {}): Promise<string[]> {
  const removedList: string[] = [];
  const removed = (w: string): void => {
    removedList.push(w);
    opts.onRemoved?.(w);
  };
  const warn = (w: string): void => opts.onWarning?.(w);

  await stopUp(home, opts.upGraceMs ?? 30_000, removed);
  const state = readHomeState(home);
  const cgroups = podCgroups(state);

  // Processes first: nothing may re-create what is removed after.
  for (let round = 0; round < 3; round++) {
    const procs = findHomeProcesses(home, cgroups);
    if (procs.length === 0) break;
    for (const p of await killAll(procs)) removed(`process ${describeProcess(p)}`);
  }
  for (const rt of state.runtimes) for (const id of await deleteContainers(rt.ociRoot)) removed(`container ${id.slice(0, 12)}`);

  // CNI DEL while the pod netns still exist (only the single node's: a multi-node
  // cluster's attachments live inside node namespaces that are deleted whole below).
  const local = state.runtimes.find((rt) => rt.dir === join(home, 'runtime'));
  if (local && local.cniCaches.length > 0) {
    const done = await cniDelCached(local.cniCaches, (file, err) => warn(`CNI DEL for ${file}: ${err.message}`));
    for (const id of done) removed(`pod network ${id.slice(0, 12)}`);
  }
  for (const chain of await removeIptablesLeftovers(knownIds(state)).catch((err: Error) => (warn(`iptables: ${err.message}`), []))) {
    removed(`iptables ${chain}`);
  }

  for (const m of await unmountAllUnder(home)) removed(`mount ${m}`);

  const present = new Set(listNetns());
  const ours = new Set(state.runtimes.flatMap((rt) => rt.sandboxes.map((s) => s.netnsName)).filter((n): n is string => n !== undefined));
  if (state.nodes.length > 0) for (const n of present) if (isMultiNodeNetns(n)) ours.add(n);
  for (const name of ours) {
    if (!present.has(name)) continue;
    try {
      if (await deleteNetns(name)) removed(`netns ${name}`);
    } catch (err) {
      warn(`netns ${name}: ${(err as Error).message}`);
    }
  }

  if (state.nodes.length > 0) {
    for (const link of await listLinks()) if (/^tkube-ul\d*$/.test(link) && (await deleteLink(link))) removed(`link ${link}`);
  }
  if (await deleteBridgeIfUnused(LOCAL_BRIDGE).catch(() => false)) removed(`link ${LOCAL_BRIDGE}`);

  for (const dir of removeCgroups(cgroups)) removed(`cgroup ${dir}`);
  for (const dir of removeEmptyTkubeCgroup()) removed(`cgroup ${dir}`);

  for (const rt of state.runtimes) forgetRecords(rt.dir);
  rmSync(join(home, 'run'), { recursive: true, force: true });
  // Whatever still carries the home (a process started while we swept) is reported, not hidden.
  for (const p of findHomeProcesses(home, cgroups)) warn(`process still running: ${describeProcess(p)}`);
  return removedList;
}
