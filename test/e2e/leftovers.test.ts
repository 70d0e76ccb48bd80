/**
 * Issue 7's "no leftovers": after `tkube up` with running pods (an emptyDir Memory
 * volume, a configMap volume), then (a) Ctrl-C, or (b) a simulated crash (kill -9 of
 * `up`, of every component and of every conmon) followed by `tkube down`, the host has
 * no netns, link, iptables chain or rule, mount, cgroup or process of that cluster's.
 *
 * The host is snapshotted before `up` (ip netns, ip -o link, iptables-save, /proc/mounts,
 * cgroup dirs, ps) and after; the difference, limited to what is tkube's (the default
 * runtime prefix, the cluster's home, the ids its pods had), must be empty. Other
 * engineers' tests run on this host too; they use their own `tkube-test-` prefixes.
 *
 * Runs as root with real processes. Do not run it beside readme-tour.test.ts (both
 * bring up a single node on the tkube0 bridge): `npx vitest run --no-file-parallelism`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { listTkubeCgroups } from '../../cli/cleanup/cgroups.js';
import { CLUSTER_HOME_ENV, isAlive, listProcesses } from '../../cli/cleanup/processes.js';
import { kubectl, removeUp, startUp, tkubeDown, type UpProcess } from './tkube-up.js';

const run = promisify(execFile);

const MANIFEST = `
apiVersion: v1
kind: ConfigMap
metadata: {name: leftovers-config}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: leftovers}
spec:
  replicas: 2
  selector: {matchLabels: {app: leftovers}}
  template:
    metadata: {labels: {app: leftovers}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: main
        image: busybox:1.36
        command: ["sh", "-c", "cat /config/greeting > /scratch/copy; exec httpd -f -p 8080 -h /scratch"]
        volumeMounts:
        - {name: scratch, mountPath: /scratch}
        - {name: config, mountPath: /config}
      volumes:
      - name: scratch
        emptyDir: {medium: Memory}
      - name: config
        configMap: {name: leftovers-config}
`;

interface HostSnapshot {
  netns: string[];
  links: string[];
  iptables: string[];
  mounts: string[];
  cgroups: string[];
  /** marker: the value of the supervisor's marker variable (the cluster's home), if any. */
  processes: { pid: number; cmd: string; marker?: string }[];
}

async function snapshot(): Promise<HostSnapshot> {
  const netns = (await run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
  const links = (await run('ip', ['-o', 'link'])).stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\d+:\s+/, '').split(/[:@]/)[0]! + (/ master (\S+)/.exec(l)?.[1] ? ` master ${/ master (\S+)/.exec(l)![1]}` : ''));
  const iptables: string[] = [];
  for (const table of ['nat', 'filter', 'mangle']) {
    const text = (await run('iptables-save', ['-t', table])).stdout;
    for (const l of text.split('\n')) if (l.startsWith(':') || l.startsWith('-A ')) iptables.push(`${table} ${l.startsWith(':') ? l.split(' ')[0] : l}`);
  }
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[1]!);
  const processes = listProcesses().map((p) => {
    let marker: string | undefined;
    try {
      const entry = readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith(`${CLUSTER_HOME_ENV}=`));
      marker = entry?.slice(CLUSTER_HOME_ENV.length + 1);
    } catch {
      /* gone */
    }
    return { pid: p.pid, cmd: p.argv.join(' '), marker };
  });
  return { netns, links, iptables, mounts, cgroups: listTkubeCgroups(), processes };
}

/** What a running cluster shows of itself: its sandbox ids (netns, pod cgroups, CNI comments carry them). */
function clusterIds(tkubeHome: string): { sandboxes: string[]; containers: string[]; pids: number[] } {
  const read = (dir: string): Record<string, unknown>[] =>
    existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>) : [];
  const sandboxes = read(join(tkubeHome, 'runtime', 'sandboxes'));
  const containers = read(join(tkubeHome, 'runtime', 'containers'));
  return {
    sandboxes: sandboxes.map((s) => s.id as string),
    containers: containers.map((c) => c.id as string),
    pids: [...sandboxes.map((s) => s.pausePid as number), ...containers.map((c) => c.pid as number)].filter((p) => p > 0),
  };
}

/** The part of (after − before) that belongs to the cluster, one line per leftover. */
function leftovers(before: HostSnapshot, after: HostSnapshot, up: UpProcess, ids: { sandboxes: string[]; containers: string[] }): string[] {
  const isNew = <T>(list: T[], old: T[]): T[] => list.filter((x) => !old.includes(x));
  const idRe = new RegExp([...ids.sandboxes, ...ids.containers].map((i) => i.slice(0, 16)).join('|') || '^$');
  const out: string[] = [];
  for (const n of isNew(after.netns, before.netns)) if (/^tkube-[0-9a-f]{16}$/.test(n) || idRe.test(n)) out.push(`netns ${n}`);
  for (const l of isNew(after.links, before.links)) if (l.startsWith('tkube0') || l.endsWith('master tkube0')) out.push(`link ${l}`);
  for (const r of isNew(after.iptables, before.iptables)) if (idRe.test(r) || /TKUBE-/.test(r) || /CNI-HOSTPORT/.test(r)) out.push(`iptables ${r}`);
  for (const m of isNew(after.mounts, before.mounts)) if (m.includes(up.home) || idRe.test(m)) out.push(`mount ${m}`);
  for (const c of isNew(after.cgroups, before.cgroups)) if (/\/tkube(\/|$)/.test(c)) out.push(`cgroup ${c}`);
  const oldPids = new Set(before.processes.map((p) => p.pid));
  for (const p of after.processes) {
    if (oldPids.has(p.pid)) continue;
    if (p.cmd.includes(up.home) || p.marker === up.tkubeHome) out.push(`process ${p.pid} ${p.cmd}`);
  }
  return out;
}

async function upWithPods(prefix: string): Promise<{ up: UpProcess; ids: ReturnType<typeof clusterIds>; during: HostSnapshot }> {
  const up = await startUp(prefix);
  await kubectl(up.env, ['apply', '-f', '-'], MANIFEST);
  await kubectl(up.env, ['rollout', 'status', 'deployment/leftovers', '--timeout=120s'], undefined, 130_000);
  // Both pods serve the configMap's content, copied into their memory-backed emptyDir.
  const ips = (await kubectl(up.env, ['get', 'pods', '-l', 'app=leftovers', '-o', 'jsonpath={.items[*].status.podIP}'])).trim().split(/\s+/);
  expect(ips).toHaveLength(2);
  const ids = clusterIds(up.tkubeHome);
  expect(ids.sandboxes).toHaveLength(2);
  const during = await snapshot();
  return { up, ids, during };
}

/** The checks both cases share: the cluster was visible on the host while it ran, and nothing of it is left. */
function expectClean(before: HostSnapshot, during: HostSnapshot, after: HostSnapshot, up: UpProcess, ids: ReturnType<typeof clusterIds>): void {
  // While running: its netns, memory-backed volumes, overlay roots, CNI rules and pod cgroups were there.
  const duringLeft = leftovers(before, during, up, ids);
  expect(duringLeft.filter((l) => l.startsWith('netns '))).toHaveLength(2);
  expect(duringLeft.some((l) => l.startsWith('mount ') && l.includes('volumes'))).toBe(true);
  expect(duringLeft.some((l) => l.startsWith('process '))).toBe(true);
  expect(duringLeft.some((l) => l.startsWith('cgroup '))).toBe(true);
  // After: nothing.
  expect(leftovers(before, after, up, ids)).toEqual([]);
  for (const pid of ids.pids) expect(isAlive(pid) && readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(ids.sandboxes[0]!.slice(0, 16))).toBe(false);
}

describe('no leftovers on the host', () => {
  const ups: UpProcess[] = [];

  afterAll(async () => {
    for (const up of ups) await removeUp(up);
  }, 240_000);

  it('after `up`, pods running, and Ctrl-C', async () => {
    const before = await snapshot();
    const { up, ids, during } = await upWithPods('tkube-e2e-leftovers-int-');
    ups.push(up);
    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);
    expect(up.output()).toContain('removed 2 pod sandbox(es)');
    // The orderly path: the runtime removed the pods itself; what remains for the sweep is
    // node-level (the bridge, the empty cgroup root, the volumes the stopped kubelet left mounted).
    expect(up.output()).not.toMatch(/removed (process|netns|container|pod network|iptables)/);
    const after = await snapshot();
    expectClean(before, during, after, up, ids);
    // And `down` then finds nothing to do.
    const down = await tkubeDown(up.tkubeHome);
    expect(down).toEqual({ code: 0, stdout: expect.stringContaining('nothing to remove') });
  }, 300_000);

  it('after `up`, pods running, kill -9 of everything, and `tkube down`', async () => {
    const before = await snapshot();
    const { up, ids, during } = await upWithPods('tkube-e2e-leftovers-crash-');
    ups.push(up);
    // The crash: `up`, then every component (the supervisor's marker) and every conmon.
    up.child.kill('SIGKILL');
    await up.exited;
    const victims = listProcesses().filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'utf8').includes(`${CLUSTER_HOME_ENV}=${up.tkubeHome}`) || (p.argv[0]?.endsWith('conmon') && p.argv.some((a) => a.startsWith(up.tkubeHome)));
      } catch {
        return false;
      }
    });
    expect(victims.some((p) => p.argv.some((a) => a.endsWith('conmon')))).toBe(true);
    expect(victims.some((p) => p.argv.includes('kubelet'))).toBe(true);
    for (const p of victims) process.kill(p.pid, 'SIGKILL');
    const etcd = listProcesses().find((p) => p.argv[0] === 'etcd' && p.argv.some((a) => a.startsWith(up.tkubeHome)));
    if (etcd) process.kill(etcd.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));

    // The containers outlive their conmon: the crash left the pods on the host.
    const crashed = await snapshot();
    expect(leftovers(before, crashed, up, ids).filter((l) => l.startsWith('netns '))).toHaveLength(2);

    const down = await tkubeDown(up.tkubeHome);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/removed netns tkube-[0-9a-f]{16}/);
    expect(down.stdout).toMatch(/removed mount .*volumes/);
    expect(down.stdout).toContain('nothing is left');
    const after = await snapshot();
    expectClean(before, during, after, up, ids);

    // Idempotent: a second `down` finds nothing.
    const again = await tkubeDown(up.tkubeHome);
    expect(again).toEqual({ code: 0, stdout: expect.stringContaining('nothing to remove') });
  }, 300_000);
});
