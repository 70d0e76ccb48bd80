/**
 * Finds the processes of one tkube home by what they carry, never by a broad name:
 * the marker environment variable the supervisor gives every component (and that the
 * runtime passes on to conmon), `up`'s pid file, etcd/conmon/runc command lines that
 * name a path under the home, and container processes in the home's pod cgroups.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Set in the environment of every process `tkube up` starts; its value is the home. */
export const CLUSTER_HOME_ENV = 'TKUBE_CLUSTER_HOME';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  argv: string[];
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // gone, or a kernel thread
  }
}

export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const cmdline = readProc(pid, 'cmdline');
    const stat = readProc(pid, 'stat');
    if (!cmdline || !stat) continue;
    // The command name in stat may hold spaces and parentheses: ppid follows the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    out.push({ pid, ppid, argv: cmdline.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1) });
  }
  return out;
}

function hasMarker(pid: number, home: string): boolean {
  const env = readProc(pid, 'environ');
  return env !== undefined && env.split('\0').includes(`${CLUSTER_HOME_ENV}=${home}`);
}

const PATH_NAMING_BINARIES = new Set(['etcd', 'conmon', 'runc', 'crun']);

function namesHomePath(p: ProcessInfo, home: string): boolean {
  const exe = basename(p.argv[0] ?? '');
  if (!PATH_NAMING_BINARIES.has(exe)) return false;
  return p.argv.some((a) => a.startsWith(`${home}/`) || a.includes(`=${home}/`));
}

/** Processes in one of the given cgroups (or below), from /proc/<pid>/cgroup. */
function inCgroups(pid: number, cgroups: string[]): boolean {
  if (cgroups.length === 0) return false;
  const text = readProc(pid, 'cgroup');
  if (!text) return false;
  return text.split('\n').some((line) => {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    return cgroups.some((cg) => path === cg || path.startsWith(`${cg}/`));
  });
}

/** This process and its ancestors: `tkube down` may itself run with the marker set. */
function selfAndAncestors(all: ProcessInfo[]): Set<number> {
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const out = new Set<number>();
  for (let pid: number | undefined = process.pid; pid && !out.has(pid); pid = byPid.get(pid)?.ppid) out.add(pid);
  return out;
}

export function upPidFile(home: string): string {
  return join(home, 'run', 'up.pid');
}

function isTkubeUp(p: ProcessInfo): boolean {
  const entry = p.argv.findIndex((a) => a.endsWith('tkube.js') || a.endsWith('/tkube'));
  return entry >= 0 && p.argv[entry + 1] === 'up';
}

/** The home a `tkube up` process works on: --home, else its $TKUBE_HOME, else $HOME/.tkube. */
function upHome(p: ProcessInfo): string | undefined {
  const flag = p.argv.indexOf('--home');
  if (flag >= 0) return p.argv[flag + 1];
  const inline = p.argv.find((a) => a.startsWith('--home='));
  if (inline) return inline.slice('--home='.length);
  const env = readProc(p.pid, 'environ')?.split('\0') ?? [];
  const get = (k: string): string | undefined => env.find((e) => e.startsWith(`${k}=`))?.slice(k.length + 1);
  const home = get('TKUBE_HOME');
  if (home) return home;
  const userHome = get('HOME');
  return userHome ? join(userHome, '.tkube') : undefined;
}

/**
 * The `tkube up` of this home: the live `tkube ... up` process its pid file names, or
 * one whose flags and environment say it works on this home (`up --nodes N`).
 */
export function findUpProcess(home: string, all = listProcesses()): ProcessInfo | undefined {
  let pid: number | undefined;
  try {
    pid = Number(readFileSync(upPidFile(home), 'utf8').trim());
  } catch {
    /* no pid file */
  }
  const byPid = all.find((x) => x.pid === pid && x.pid !== process.pid && isTkubeUp(x));
  return byPid ?? all.find((x) => x.pid !== process.pid && isTkubeUp(x) && upHome(x) === home);
}

/** Every process of the home except this one and its ancestors. */
export function findHomeProcesses(home: string, podCgroups: string[]): ProcessInfo[] {
  const all = listProcesses();
  const exclude = selfAndAncestors(all);
  const up = findUpProcess(home, all);
  return all.filter(
    (p) => !exclude.has(p.pid) && (p.pid === up?.pid || hasMarker(p.pid, home) || namesHomePath(p, home) || inCgroups(p.pid, podCgroups)),
  );
}

/** Alive and not a zombie (a zombie holds no resources; its parent has yet to reap it). */
export function isAlive(pid: number): boolean {
  const stat = readProc(pid, 'stat');
  if (!stat) return false;
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** SIGKILL, then wait (up to timeoutMs) until every one is gone. Returns those that were killed. */
export async function killAll(procs: ProcessInfo[], timeoutMs = 5000): Promise<ProcessInfo[]> {
  const killed = procs.filter((p) => {
    try {
      process.kill(p.pid, 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  });
  const deadline = Date.now() + timeoutMs;
  while (killed.some((p) => isAlive(p.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return killed;
}

export function describeProcess(p: ProcessInfo): string {
  const args = p.argv.slice(0, 3).map((a) => basename(a));
  return `${p.pid} ${args.join(' ')}`;
}
