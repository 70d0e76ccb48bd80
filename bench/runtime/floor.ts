/**
 * The floor of starting a pod, by hand: what any runtime has to do at least, with the
 * same tools and inputs as tkube's runtime. Timed: `ip netns add`, CNI ADD of the conflist's
 * plugins exec'd directly (chained prevResult), `runc run -d` of the pause bundle, then
 * `runc run -d` of the app bundle joining the pause container's namespaces. Not timed:
 * preparing the bundles (overlay rootfs of the same image layers) and the teardown.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeCgroup, type CgroupVersion } from '../../runtime/cgroups/cgroups.js';
import { buildSpec, type OciNamespace, type OciSpec } from '../../runtime/oci/spec.js';
import { mountOverlay, removeOverlay } from '../../runtime/rootfs/overlay.js';
import { execFile, run } from '../../runtime/util/exec.js';

export interface FloorConfig {
  /** Parsed conflist (what the runtime reads from its conf dir). */
  conflist: { cniVersion: string; name: string; plugins: Record<string, unknown>[] };
  cniBinDir: string;
  runc: string;
  /** runc --root for the floor's containers. */
  runcRoot: string;
  workDir: string;
  netnsPrefix: string;
  cgroupRoot: string;
  cgroupVersion: CgroupVersion;
  pauseLayers: string[];
  pauseArgs: string[];
  appLayers: string[];
  appArgs: string[];
}

export interface FloorTimes {
  netnsMs: number;
  cniMs: number;
  runPauseMs: number;
  runAppMs: number;
  totalMs: number;
}

async function ok(cmd: string, args: string[], opts: Parameters<typeof execFile>[2] = {}): Promise<string> {
  const r = await execFile(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString().trim() || r.stdout.toString().trim()}`);
  return r.stdout.toString();
}

/**
 * `runc run -d`: the container inherits runc's stdio, so pipes would never close; it
 * gets /dev/null and runc's errors go to a log file.
 */
async function runcRunDetached(runc: string, globalArgs: string[], args: string[], logFile: string): Promise<void> {
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(runc, [...globalArgs, '--log', logFile, 'run', '-d', ...args], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`runc run ${args.at(-1)}: ${(await fs.readFile(logFile, 'utf8').catch(() => '')).trim()}`);
}

function cniEnv(command: 'ADD' | 'DEL', id: string, netnsPath: string, binDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: id,
    CNI_NETNS: netnsPath,
    CNI_IFNAME: 'eth0',
    CNI_ARGS: '',
    CNI_PATH: binDir,
  };
}

export class FloorPod {
  private readonly dir: string;
  private readonly netns: string;
  private readonly netnsPath: string;
  private readonly pauseId: string;
  private readonly appId: string;
  private readonly cgroup: string;
  private cniResult: unknown;

  constructor(private readonly cfg: FloorConfig, index: number) {
    this.dir = path.join(cfg.workDir, `floor-${index}`);
    this.netns = `${cfg.netnsPrefix}floor-${index}`;
    this.netnsPath = `/run/netns/${this.netns}`;
    this.pauseId = `floor-${index}-pause`;
    this.appId = `floor-${index}-app`;
    this.cgroup = `/${cfg.cgroupRoot}/floor-${index}`;
  }

  private spec(rootfs: string, args: string[], namespaces: OciNamespace[], name: string, readonlyRootfs: boolean): OciSpec {
    return buildSpec({
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] },
      rootfs,
      readonlyRootfs,
      namespaces,
      cgroupsPath: `${this.cgroup}/${name}`,
      binds: [],
    });
  }

  /** Untimed: both overlay rootfs mounted and the pause bundle's config.json written. */
  async prepare(): Promise<void> {
    const pauseRootfs = await mountOverlay(this.cfg.pauseLayers, path.join(this.dir, 'pause'));
    await mountOverlay(this.cfg.appLayers, path.join(this.dir, 'app'));
    const ns: OciNamespace[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'mount' }, { type: 'uts' }, { type: 'network', path: this.netnsPath }];
    await fs.writeFile(path.join(this.dir, 'pause', 'config.json'), JSON.stringify(this.spec(pauseRootfs, this.cfg.pauseArgs, ns, 'pause', true)));
  }

  private runc(args: string[]): string[] {
    return ['--root', this.cfg.runcRoot, ...args];
  }

  /** Timed: the pod from nothing to its app container running. */
  async start(): Promise<FloorTimes> {
    const t0 = performance.now();
    await run('ip', ['netns', 'add', this.netns]);
    const t1 = performance.now();
    let prev: unknown;
    for (const plugin of this.cfg.conflist.plugins) {
      const conf = { ...plugin, cniVersion: this.cfg.conflist.cniVersion, name: this.cfg.conflist.name, ...(prev ? { prevResult: prev } : {}) };
      const bin = path.join(this.cfg.cniBinDir, String(plugin.type));
      prev = JSON.parse(await ok(bin, [], { env: cniEnv('ADD', this.pauseId, this.netnsPath, this.cfg.cniBinDir), input: JSON.stringify(conf) })) as unknown;
    }
    this.cniResult = prev;
    const t2 = performance.now();
    const pauseBundle = path.join(this.dir, 'pause');
    const pidFile = path.join(pauseBundle, 'pid');
    await runcRunDetached(this.cfg.runc, this.runc([]), ['--bundle', pauseBundle, '--pid-file', pidFile, this.pauseId], path.join(this.dir, 'runc.log'));
    const t3 = performance.now();
    const pid = (await fs.readFile(pidFile, 'utf8')).trim();
    const ns: OciNamespace[] = [
      { type: 'pid' },
      { type: 'mount' },
      { type: 'ipc', path: `/proc/${pid}/ns/ipc` },
      { type: 'uts', path: `/proc/${pid}/ns/uts` },
      { type: 'network', path: this.netnsPath },
    ];
    const appBundle = path.join(this.dir, 'app');
    await fs.writeFile(path.join(appBundle, 'config.json'), JSON.stringify(this.spec(path.join(appBundle, 'rootfs'), this.cfg.appArgs, ns, 'app', false)));
    await runcRunDetached(this.cfg.runc, this.runc([]), ['--bundle', appBundle, this.appId], path.join(this.dir, 'runc.log'));
    const t4 = performance.now();
    return { netnsMs: t1 - t0, cniMs: t2 - t1, runPauseMs: t3 - t2, runAppMs: t4 - t3, totalMs: t4 - t0 };
  }

  /** Untimed: everything start() and prepare() made, in reverse. */
  async teardown(): Promise<void> {
    for (const id of [this.appId, this.pauseId]) await execFile(this.cfg.runc, this.runc(['delete', '--force', id]));
    for (const plugin of [...this.cfg.conflist.plugins].reverse()) {
      const conf = { ...plugin, cniVersion: this.cfg.conflist.cniVersion, name: this.cfg.conflist.name, ...(this.cniResult ? { prevResult: this.cniResult } : {}) };
      await execFile(path.join(this.cfg.cniBinDir, String(plugin.type)), [], {
        env: cniEnv('DEL', this.pauseId, this.netnsPath, this.cfg.cniBinDir),
        input: JSON.stringify(conf),
      });
    }
    await execFile('ip', ['netns', 'delete', this.netns]);
    await removeOverlay(path.join(this.dir, 'app'));
    await removeOverlay(path.join(this.dir, 'pause'));
    await removeCgroup(this.cgroup, this.cfg.cgroupVersion);
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
