// App containers: OCI spec from the CRI config + image, rootfs overlay, conmon,
// lifecycle (create/start/stop/remove), status with exit code and reason, exec.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { RuntimeContext } from '../context.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStatus,
  LinuxContainerResources,
  PodSandboxConfig,
} from '../cri/types.js';
import { toNanos } from '../cri/proto.js';
import { deadlineExceeded, failedPrecondition, invalidArgument, notFound } from '../cri/grpc-errors.js';
import { oomKillCount, removeCgroup } from '../cgroups/cgroups.js';
import { effectiveCapabilities } from '../oci/capabilities.js';
import { createUnderConmon, readExitFile, removeConmonLeftovers, reopenLog, waitForExit } from '../oci/launch.js';
import type { ExecOutcome, ExecProcess } from '../oci/oci-runtime.js';
import { buildSpec, type BindMount, type OciNamespace, type OciSpec, type ResourceLimits } from '../oci/spec.js';
import { resolveUser } from '../oci/user.js';
import { mountOverlay, removeOverlay } from '../rootfs/overlay.js';
import type { SandboxService } from '../sandbox/sandbox-service.js';
import { etcFilePaths } from '../sandbox/etc-files.js';
import type { ContainerRecord } from '../state/records.js';
import { newId } from '../util/ids.js';
import { resolveArgs, resolveEnv } from './process-args.js';

const STATE_NAMES: Record<ContainerRecord['state'], ContainerState> = {
  created: 'CONTAINER_CREATED',
  running: 'CONTAINER_RUNNING',
  exited: 'CONTAINER_EXITED',
  unknown: 'CONTAINER_UNKNOWN',
};

/** Reads the state afresh (defeats narrowing across awaits that mutate the record). */
const stateOf = (r: ContainerRecord): ContainerRecord['state'] => r.state;

export function resourceLimits(r: LinuxContainerResources | null | undefined): ResourceLimits {
  if (!r) return {};
  return {
    cpuShares: r.cpu_shares,
    cpuQuota: r.cpu_quota,
    cpuPeriod: r.cpu_period,
    cpusetCpus: r.cpuset_cpus,
    cpusetMems: r.cpuset_mems,
    memoryLimit: r.memory_limit_in_bytes,
    memorySwapLimit: r.memory_swap_limit_in_bytes,
    unified: r.unified,
  };
}

export class ContainerService {
  private execSeq = 0;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly sandboxes: SandboxService,
  ) {}

  private record(id: string): ContainerRecord {
    const rec = this.ctx.containers.get(id) ?? this.ctx.containers.list().find((c) => id.length >= 6 && c.id.startsWith(id));
    if (!rec) throw notFound('container', id);
    return rec;
  }

  async create(sandboxId: string, config: ContainerConfig | null, sandboxConfig: PodSandboxConfig | null): Promise<string> {
    if (!config?.metadata?.name) throw invalidArgument('ContainerConfig.metadata.name is required');
    if (!config.image?.image) throw invalidArgument('ContainerConfig.image is required');
    const sb = this.sandboxes.get(sandboxId);
    if (sb.state !== 'ready') throw failedPrecondition(`pod sandbox ${sb.id} is not ready`);
    const ctx = this.ctx;
    const image = await ctx.images.status(config.image.image);
    if (!image) throw notFound('image', config.image.image);
    const id = newId();
    return ctx.locks.run(id, async () => {
      const dir = ctx.paths.containerDir(id);
      const sbConfig = sandboxConfig ?? sb.config;
      const logPath = this.logPathFor(sbConfig, config, dir);
      const rec: ContainerRecord = {
        id,
        sandboxId: sb.id,
        config,
        imageId: image.id,
        imageRef: image.repoDigests[0] ?? image.id,
        createdAt: Date.now(),
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        reason: '',
        message: '',
        state: 'created',
        pid: 0,
        logPath,
        cgroupPath: `${sb.podCgroup}/${id.slice(0, 32)}`,
        stopSignal: image.config.stopSignal ?? 'SIGTERM',
        rootfsMounted: false,
      };
      await fs.mkdir(dir, { recursive: true });
      await ctx.containers.put(rec);
      try {
        const rootfs = await mountOverlay(await ctx.images.layerDirs(image.id), dir);
        rec.rootfsMounted = true;
        await ctx.containers.put(rec);
        const spec = await this.specFor(rec, rootfs, image.config);
        rec.pid = await createUnderConmon(ctx, id, path.join(dir, 'bundle'), spec, logPath, { stdin: config.stdin });
        await ctx.containers.put(rec);
        return id;
      } catch (err) {
        await this.teardown(rec).catch((e: unknown) => ctx.log.error({ container: id, err: String(e) }, 'cleanup failed'));
        throw err;
      }
    });
  }

  private logPathFor(sbConfig: PodSandboxConfig, config: ContainerConfig, dir: string): string {
    if (config.log_path) {
      if (path.isAbsolute(config.log_path)) return config.log_path;
      if (sbConfig.log_directory) return path.join(sbConfig.log_directory, config.log_path);
    }
    return path.join(dir, 'container.log');
  }

  private async specFor(rec: ContainerRecord, rootfs: string, imageConfig: import('../image-source.js').ImageConfig): Promise<OciSpec> {
    const sb = this.sandboxes.get(rec.sandboxId);
    const cfg = rec.config;
    const sc = cfg.linux?.security_context ?? null;
    const hostname = sb.config.hostname || sb.config.metadata?.name || '';
    let userSpec = imageConfig.user ?? '';
    if (sc?.run_as_user) userSpec = String(sc.run_as_user.value);
    else if (sc?.run_as_username) userSpec = sc.run_as_username;
    if (sc?.run_as_group && userSpec !== '') userSpec = `${userSpec.split(':')[0]}:${sc.run_as_group.value}`;
    const user = await resolveUser(rootfs, userSpec);
    // Like containerd: the primary group is also a supplementary group, then the pod's.
    user.additionalGids = [user.gid, ...user.additionalGids];
    for (const g of sc?.supplemental_groups ?? []) if (!user.additionalGids.includes(g)) user.additionalGids.push(g);

    const pausePid = sb.pausePid;
    const nsOpts = sc?.namespace_options;
    const namespaces: OciNamespace[] = [{ type: 'mount' }];
    if (!sb.hostNetwork) {
      namespaces.push({ type: 'network', path: sb.netnsPath! }, { type: 'uts', path: `/proc/${pausePid}/ns/uts` });
    }
    if (nsOpts?.ipc !== 'NODE') namespaces.push({ type: 'ipc', path: `/proc/${pausePid}/ns/ipc` });
    if (nsOpts?.pid === 'POD') namespaces.push({ type: 'pid', path: `/proc/${pausePid}/ns/pid` });
    else if (nsOpts?.pid !== 'NODE') namespaces.push({ type: 'pid' });

    const etc = etcFilePaths(this.ctx.paths.sandboxDir(sb.id));
    const userPaths = new Set(cfg.mounts.map((m) => m.container_path));
    const binds: BindMount[] = [];
    for (const [dest, src] of [
      ['/etc/hosts', etc.hosts],
      ['/etc/resolv.conf', etc.resolvConf],
      ['/etc/hostname', etc.hostname],
    ] as const) {
      if (!userPaths.has(dest)) binds.push({ containerPath: dest, hostPath: src, readonly: false });
    }
    if (!userPaths.has('/dev/shm')) {
      // Pod-shared /dev/shm, or the node's for hostIPC pods.
      const shm = nsOpts?.ipc === 'NODE' ? '/dev/shm' : sb.shmPath;
      if (shm) binds.push({ containerPath: '/dev/shm', hostPath: shm, readonly: false });
    }
    for (const m of cfg.mounts) {
      // CRI: a missing host path is an error (the kubelet creates what should exist).
      if (!existsSync(m.host_path)) throw invalidArgument(`mount host path ${m.host_path} does not exist`);
      binds.push({
        containerPath: m.container_path,
        hostPath: m.host_path,
        readonly: m.readonly,
        propagation:
          m.propagation === 'PROPAGATION_BIDIRECTIONAL' ? 'rshared' : m.propagation === 'PROPAGATION_HOST_TO_CONTAINER' ? 'rslave' : 'private',
      });
    }
    const caps = sc?.capabilities;
    const args = resolveArgs(cfg.command, cfg.args, imageConfig);
    if (args.length === 0) throw invalidArgument('no command specified and the image has no Entrypoint/Cmd');
    return buildSpec({
      args,
      env: resolveEnv(imageConfig, cfg.envs, hostname),
      cwd: cfg.working_dir || imageConfig.workingDir || '/',
      user,
      rootfs,
      readonlyRootfs: sc?.readonly_rootfs ?? false,
      namespaces,
      cgroupsPath: rec.cgroupPath,
      resources: resourceLimits(cfg.linux?.resources),
      capabilities: effectiveCapabilities(caps?.add_capabilities ?? [], caps?.drop_capabilities ?? [], sc?.privileged ?? false),
      ambientCapabilities: caps?.add_ambient_capabilities ?? [],
      privileged: sc?.privileged ?? false,
      noNewPrivileges: sc?.no_new_privs ?? false,
      oomScoreAdj: cfg.linux?.resources?.oom_score_adj ?? 0,
      ...(sc?.masked_paths.length ? { maskedPaths: sc.masked_paths } : {}),
      ...(sc?.readonly_paths.length ? { readonlyPaths: sc.readonly_paths } : {}),
      binds,
      // conmon owns the terminal of tty containers (it receives runc's console socket fd).
      terminal: cfg.tty,
    });
  }

  async start(id: string): Promise<void> {
    const rec = this.record(id);
    await this.ctx.locks.run(rec.id, async () => {
      if (rec.state !== 'created') throw failedPrecondition(`container ${rec.id} is ${rec.state}, not created`);
      // Taken before `start` returns: a short-lived process may already have exited.
      const startedAt = Date.now();
      await this.ctx.oci.start(rec.id);
      rec.state = 'running';
      rec.startedAt = startedAt;
      await this.ctx.containers.put(rec);
    });
  }

  /** Folds an exit recorded by conmon into the record (exit code, time, reason). */
  private async refresh(rec: ContainerRecord): Promise<void> {
    if (rec.state === 'exited') return;
    const exit = await readExitFile(this.ctx, rec.id);
    if (!exit) return;
    rec.state = 'exited';
    rec.exitCode = exit.code;
    if (!rec.startedAt) rec.startedAt = exit.at;
    rec.finishedAt = Math.max(exit.at, rec.startedAt);
    const oomMarker = existsSync(path.join(this.ctx.paths.containerDir(rec.id), 'bundle', 'oom'));
    const ooms = oomMarker ? 1 : await oomKillCount(rec.cgroupPath, this.ctx.cgroupVersion);
    rec.reason = ooms > 0 ? 'OOMKilled' : exit.code === 0 ? 'Completed' : 'Error';
    await this.ctx.containers.put(rec);
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    const rec = this.record(id);
    await this.ctx.locks.run(rec.id, () => this.stopLocked(rec, timeoutSeconds));
  }

  private async stopLocked(rec: ContainerRecord, timeoutSeconds: number): Promise<void> {
    await this.refresh(rec);
    if (rec.state === 'exited') return;
    const st = await this.ctx.oci.state(rec.id);
    if (!st || st.status === 'stopped') {
      // conmon writes the exit file right after the runtime reports the stop.
      await waitForExit(this.ctx, rec.id, 2000);
      await this.refresh(rec);
      if (stateOf(rec) !== 'exited') await this.markLost(rec);
      return;
    }
    if (timeoutSeconds > 0 && st.status === 'running') {
      await this.ctx.oci.kill(rec.id, rec.stopSignal.replace(/^SIG/, ''));
      if (await waitForExit(this.ctx, rec.id, timeoutSeconds * 1000)) {
        await this.refresh(rec);
        return;
      }
    }
    await this.ctx.oci.kill(rec.id, 'KILL', true);
    if (!(await waitForExit(this.ctx, rec.id, 10_000))) throw deadlineExceeded(`container ${rec.id} did not exit after SIGKILL`);
    await this.refresh(rec);
  }

  /** The container's process is gone but conmon recorded no exit (conmon was killed). */
  private async markLost(rec: ContainerRecord): Promise<void> {
    rec.state = 'exited';
    rec.exitCode = 255;
    rec.finishedAt = Date.now();
    rec.reason = 'Error';
    rec.message = 'container exit status was lost (conmon not running)';
    await this.ctx.containers.put(rec);
  }

  async remove(id: string): Promise<void> {
    let rec: ContainerRecord;
    try {
      rec = this.record(id);
    } catch {
      return; // removing a removed container succeeds
    }
    await this.ctx.locks.run(rec.id, async () => {
      await this.stopLocked(rec, 0);
      await this.teardown(rec);
    });
  }

  private async teardown(rec: ContainerRecord): Promise<void> {
    const ctx = this.ctx;
    await ctx.oci.kill(rec.id, 'KILL', true).catch(() => undefined);
    await ctx.oci.delete(rec.id);
    const dir = ctx.paths.containerDir(rec.id);
    await removeOverlay(dir);
    await removeCgroup(rec.cgroupPath, ctx.cgroupVersion);
    await fs.rm(dir, { recursive: true, force: true });
    await removeConmonLeftovers(ctx, rec.id);
    await ctx.containers.delete(rec.id);
  }

  async stopAllIn(sandboxId: string): Promise<void> {
    for (const c of this.ctx.containers.list().filter((c) => c.sandboxId === sandboxId)) {
      await this.stop(c.id, 0);
    }
  }

  async removeAllIn(sandboxId: string): Promise<void> {
    for (const c of this.ctx.containers.list().filter((c) => c.sandboxId === sandboxId)) {
      await this.remove(c.id);
    }
  }

  async status(id: string): Promise<ContainerStatus> {
    const rec = this.record(id);
    await this.refresh(rec);
    const cfg = rec.config;
    return {
      id: rec.id,
      metadata: cfg.metadata,
      state: STATE_NAMES[rec.state],
      created_at: toNanos(rec.createdAt),
      started_at: toNanos(rec.startedAt),
      finished_at: toNanos(rec.finishedAt),
      exit_code: rec.exitCode,
      image: cfg.image,
      image_ref: rec.imageRef,
      reason: rec.reason,
      message: rec.message,
      labels: cfg.labels,
      annotations: cfg.annotations,
      mounts: cfg.mounts,
      log_path: rec.logPath,
      resources: { linux: cfg.linux?.resources ?? null },
      image_id: rec.imageId,
    };
  }

  async list(filter: ContainerFilter | null): Promise<Container[]> {
    const out: Container[] = [];
    for (const rec of this.ctx.containers.list()) {
      await this.refresh(rec);
      if (filter) {
        if (filter.id && !rec.id.startsWith(filter.id)) continue;
        if (filter.pod_sandbox_id && !rec.sandboxId.startsWith(filter.pod_sandbox_id)) continue;
        if (filter.state && STATE_NAMES[rec.state] !== filter.state.state) continue;
        if (!Object.entries(filter.label_selector).every(([k, v]) => rec.config.labels[k] === v)) continue;
      }
      out.push({
        id: rec.id,
        pod_sandbox_id: rec.sandboxId,
        metadata: rec.config.metadata,
        image: rec.config.image,
        image_ref: rec.imageRef,
        state: STATE_NAMES[rec.state],
        created_at: toNanos(rec.createdAt),
        labels: rec.config.labels,
        annotations: rec.config.annotations,
        image_id: rec.imageId,
      });
    }
    return out;
  }

  /** What crictl inspect shows under info (verbose ContainerStatus). */
  debugInfo(id: string): Record<string, unknown> {
    const rec = this.record(id);
    return { pid: rec.pid, sandboxID: rec.sandboxId, cgroup: rec.cgroupPath, bundle: path.join(this.ctx.paths.containerDir(rec.id), 'bundle') };
  }

  async reopenLog(id: string): Promise<void> {
    const rec = this.record(id);
    await this.refresh(rec);
    if (rec.state !== 'running') throw failedPrecondition(`container ${rec.id} is not running`);
    await reopenLog(path.join(this.ctx.paths.containerDir(rec.id), 'bundle'));
  }

  async updateResources(id: string, linux: LinuxContainerResources | null): Promise<void> {
    const rec = this.record(id);
    if (!linux) return;
    const lim = resourceLimits(linux);
    const file = path.join(this.ctx.paths.containerDir(rec.id), 'resources.json');
    const res: Record<string, unknown> = {};
    if (lim.memoryLimit) res.memory = { limit: lim.memoryLimit };
    const cpu: Record<string, unknown> = {};
    if (lim.cpuShares) cpu.shares = lim.cpuShares;
    if (lim.cpuQuota) cpu.quota = lim.cpuQuota;
    if (lim.cpuPeriod) cpu.period = lim.cpuPeriod;
    if (Object.keys(cpu).length) res.cpu = cpu;
    await fs.writeFile(file, JSON.stringify(res));
    await this.ctx.oci.update(rec.id, file);
    rec.config = { ...rec.config, linux: { resources: linux, security_context: rec.config.linux?.security_context ?? null } };
    await this.ctx.containers.put(rec);
  }

  /** The process spec for an exec: the container's env, cwd and user with a new argv. */
  async execProcess(id: string, cmd: string[]): Promise<{ rec: ContainerRecord; proc: ExecProcess }> {
    const rec = this.record(id);
    await this.refresh(rec);
    if (rec.state !== 'running') throw failedPrecondition(`container ${rec.id} is not running`);
    if (cmd.length === 0) throw invalidArgument('exec command is empty');
    const spec = JSON.parse(await fs.readFile(path.join(this.ctx.paths.containerDir(rec.id), 'bundle', 'config.json'), 'utf8')) as OciSpec;
    return {
      rec,
      proc: {
        args: cmd,
        env: spec.process.env,
        cwd: spec.process.cwd,
        user: spec.process.user,
        terminal: false,
        capabilities: spec.process.capabilities,
        noNewPrivileges: spec.process.noNewPrivileges,
      },
    };
  }

  execFiles(): { processFile: string; pidFile: string } {
    const n = `${process.pid}-${++this.execSeq}`;
    return { processFile: path.join(this.ctx.paths.execDir, `${n}.json`), pidFile: path.join(this.ctx.paths.execDir, `${n}.pid`) };
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecOutcome> {
    const { rec, proc } = await this.execProcess(id, cmd);
    await fs.mkdir(this.ctx.paths.execDir, { recursive: true });
    const f = this.execFiles();
    const out = await this.ctx.oci.execSync(rec.id, proc, f.processFile, f.pidFile, timeoutSeconds * 1000);
    if (out.timedOut) throw deadlineExceeded(`command ${JSON.stringify(cmd)} timed out after ${timeoutSeconds}s`);
    return out;
  }

  /** After a restart: reconcile every record with conmon's exit files and runc's state. */
  async recover(): Promise<void> {
    for (const rec of this.ctx.containers.list()) {
      await this.refresh(rec);
      if (rec.state === 'exited') continue;
      const st = await this.ctx.oci.state(rec.id);
      if (!st) {
        await this.markLost(rec);
      } else if (st.status === 'running' && rec.state !== 'running') {
        rec.state = 'running';
        if (!rec.startedAt) rec.startedAt = Date.now();
        await this.ctx.containers.put(rec);
      } else if (st.status === 'stopped') {
        if (!(await waitForExit(this.ctx, rec.id, 1000))) await this.markLost(rec);
        else await this.refresh(rec);
      }
    }
  }
}
