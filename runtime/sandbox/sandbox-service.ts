// Pod sandboxes: network namespace + CNI, the pause container holding the pod's
// IPC and UTS namespaces, the per-pod cgroup and /etc files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RuntimeContext } from '../context.js';
import type { PodSandbox, PodSandboxConfig, PodSandboxFilter, PodSandboxStatus } from '../cri/types.js';
import { toNanos } from '../cri/proto.js';
import { invalidArgument, notFound } from '../cri/grpc-errors.js';
import { removeCgroup } from '../cgroups/cgroups.js';
import { createNetns, deleteNetns, netnsPath, setLoopbackUp } from '../network/netns.js';
import { loadDefaultNetwork, type NetworkConfList } from '../network/cni-config.js';
import { podIpsFromResult, type CniAttachment } from '../network/cni.js';
import { createUnderConmon, removeConmonLeftovers, waitForExit } from '../oci/launch.js';
import { buildSpec, type OciNamespace } from '../oci/spec.js';
import { resolveArgs } from '../container/process-args.js';
import { mountOverlay, mountShm, removeOverlay, unmountIfMounted } from '../rootfs/overlay.js';
import { readJson, writeJsonAtomic } from '../state/json-file.js';
import type { SandboxRecord } from '../state/records.js';
import { newId } from '../util/ids.js';
import { writeEtcFiles } from './etc-files.js';

const CniCacheSchema = z.object({
  network: z.custom<NetworkConfList>((v) => typeof v === 'object' && v !== null),
  attachment: z.custom<CniAttachment>((v) => typeof v === 'object' && v !== null),
  result: z.unknown(),
});

/** Waits for every step (so a failure never races the cleanup), then throws the first error. */
async function allSettledOrThrow(steps: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Stops and removes a sandbox's app containers; provided by the container service. */
export interface SandboxContainerOps {
  stopAllIn(sandboxId: string): Promise<void>;
  removeAllIn(sandboxId: string): Promise<void>;
}

export class SandboxService {
  containerOps?: SandboxContainerOps;

  constructor(private readonly ctx: RuntimeContext) {}

  private record(id: string): SandboxRecord {
    const rec = this.ctx.sandboxes.get(id) ?? this.ctx.sandboxes.list().find((s) => id.length >= 6 && s.id.startsWith(id));
    if (!rec) throw notFound('pod sandbox', id);
    return rec;
  }

  get(id: string): SandboxRecord {
    return this.record(id);
  }

  async run(config: PodSandboxConfig | null, runtimeHandler: string): Promise<string> {
    if (!config?.metadata?.name) throw invalidArgument('PodSandboxConfig.metadata.name is required');
    const id = newId();
    return this.ctx.locks.run(id, async () => {
      const ctx = this.ctx;
      const meta = config.metadata!;
      const hostNetwork = config.linux?.security_context?.namespace_options?.network === 'NODE';
      const parent = config.linux?.cgroup_parent ?? '';
      const rec: SandboxRecord = {
        id,
        config,
        runtimeHandler,
        createdAt: Date.now(),
        state: 'notready',
        hostNetwork,
        networkAttached: false,
        ip: '',
        additionalIps: [],
        pausePid: 0,
        podCgroup: parent ? (parent.startsWith('/') ? parent : `/${parent}`) : `/${ctx.cgroupRoot}/pod-${id.slice(0, 16)}`,
        ownsPodCgroup: !parent,
        rootfsMounted: false,
        shmPath: '',
      };
      const dir = ctx.paths.sandboxDir(id);
      await fs.mkdir(dir, { recursive: true });
      await ctx.sandboxes.put(rec);
      try {
        const hostname = config.hostname || meta.name;
        if (!hostNetwork) {
          rec.netnsName = `${ctx.netnsPrefix}${id.slice(0, 16)}`;
          rec.netnsPath = netnsPath(rec.netnsName);
        }
        if (config.linux?.security_context?.namespace_options?.ipc !== 'NODE') rec.shmPath = path.join(dir, 'shm');
        await ctx.sandboxes.put(rec); // names first: a crash from here on leaves them to clean up
        // Side by side, as the steps only need what they wait for: the pause container
        // needs the netns but not its addresses, CNI needs no container, the pod's
        // /dev/shm is only for the app containers. /etc/hosts needs the pod IP.
        const netnsMade = hostNetwork ? Promise.resolve() : createNetns(rec.netnsName!);
        await allSettledOrThrow([
          netnsMade,
          hostNetwork ? Promise.resolve() : netnsMade.then(() => Promise.all([setLoopbackUp(rec.netnsName!), this.attachNetwork(rec)])),
          rec.shmPath ? mountShm(rec.shmPath) : Promise.resolve(),
          this.startPause(rec, hostname, netnsMade),
        ]);
        await writeEtcFiles(dir, hostname, rec.ip, config.dns_config);
        rec.state = 'ready';
        await ctx.sandboxes.put(rec);
        ctx.log.info({ sandbox: id, pod: `${meta.namespace}/${meta.name}`, ip: rec.ip }, 'sandbox ready');
        return id;
      } catch (err) {
        ctx.log.warn({ sandbox: id, err: String(err) }, 'sandbox creation failed; cleaning up');
        await this.teardown(rec).catch((e: unknown) => ctx.log.error({ sandbox: id, err: String(e) }, 'cleanup failed'));
        throw err;
      }
    });
  }

  private async attachNetwork(rec: SandboxRecord): Promise<void> {
    const ctx = this.ctx;
    const meta = rec.config.metadata!;
    const network = await loadDefaultNetwork(ctx.opts.cniConfDir);
    const attachment: CniAttachment = {
      containerId: rec.id,
      netnsPath: rec.netnsPath!,
      ifName: 'eth0',
      args: {
        IgnoreUnknown: '1',
        K8S_POD_NAMESPACE: meta.namespace,
        K8S_POD_NAME: meta.name,
        K8S_POD_INFRA_CONTAINER_ID: rec.id,
        K8S_POD_UID: meta.uid,
      },
      portMappings: rec.config.port_mappings
        .filter((p) => p.host_port > 0)
        .map((p) => ({
          hostPort: p.host_port,
          containerPort: p.container_port,
          protocol: p.protocol.toLowerCase(),
          ...(p.host_ip ? { hostIP: p.host_ip } : {}),
        })),
    };
    // Cache what DEL needs before ADD, so a crash mid-ADD can still be undone.
    await writeJsonAtomic(ctx.paths.cniCacheFile(rec.id), { network, attachment, result: null });
    rec.networkAttached = true;
    await ctx.sandboxes.put(rec);
    const result = await ctx.cni.add(network, attachment);
    await writeJsonAtomic(ctx.paths.cniCacheFile(rec.id), { network, attachment, result });
    const ips = podIpsFromResult(result);
    rec.ip = ips[0] ?? '';
    rec.additionalIps = ips.slice(1);
    await ctx.sandboxes.put(rec);
  }

  private async detachNetwork(rec: SandboxRecord): Promise<void> {
    const ctx = this.ctx;
    if (!rec.networkAttached) return;
    const cached = CniCacheSchema.safeParse(await readJson(ctx.paths.cniCacheFile(rec.id)));
    if (cached.success) {
      await ctx.cni.del(cached.data.network, cached.data.attachment, cached.data.result ?? undefined);
    }
    await fs.rm(ctx.paths.cniCacheFile(rec.id), { force: true });
    rec.networkAttached = false;
    await ctx.sandboxes.put(rec);
  }

  /** Prepares the pause container's rootfs and spec, then creates it once `netnsMade` resolves. */
  private async startPause(rec: SandboxRecord, hostname: string, netnsMade: Promise<unknown>): Promise<void> {
    const ctx = this.ctx;
    const image = await ctx.images.status(ctx.opts.pauseImage);
    if (!image) throw new Error(`pause image ${ctx.opts.pauseImage} is not present`);
    const dir = ctx.paths.sandboxDir(rec.id);
    const rootfs = await mountOverlay(await ctx.images.layerDirs(image.id), path.join(dir, 'pause'));
    rec.rootfsMounted = true;
    await ctx.sandboxes.put(rec);
    const args = resolveArgs([], [], image.config);
    const namespaces: OciNamespace[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'mount' }];
    // hostNetwork pods share the node's network and UTS namespaces.
    if (!rec.hostNetwork) namespaces.push({ type: 'uts' }, { type: 'network', path: rec.netnsPath! });
    const spec = buildSpec({
      args: args.length ? args : ['/pause'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] },
      rootfs,
      readonlyRootfs: true,
      ...(rec.hostNetwork ? {} : { hostname }),
      namespaces,
      cgroupsPath: `${rec.podCgroup}/${rec.id.slice(0, 32)}`,
      capabilities: [],
      noNewPrivileges: true,
      binds: [],
      sysctls: rec.hostNetwork ? {} : (rec.config.linux?.sysctls ?? {}),
    });
    await netnsMade;
    const pid = await createUnderConmon(ctx, rec.id, path.join(dir, 'bundle'), spec, path.join(dir, 'pause.log'));
    await ctx.oci.start(rec.id);
    rec.pausePid = pid;
    await ctx.sandboxes.put(rec);
  }

  async stop(id: string): Promise<void> {
    let rec: SandboxRecord;
    try {
      rec = this.record(id);
    } catch {
      return; // kubelet retries stop on removed sandboxes: not an error
    }
    await this.ctx.locks.run(rec.id, async () => {
      await this.containerOps?.stopAllIn(rec.id);
      await this.stopPause(rec);
      await this.detachNetwork(rec);
      if (rec.netnsName) await deleteNetns(rec.netnsName);
      rec.state = 'notready';
      rec.ip = '';
      rec.additionalIps = [];
      await this.ctx.sandboxes.put(rec);
    });
  }

  private async stopPause(rec: SandboxRecord): Promise<void> {
    if (!(await this.ctx.oci.state(rec.id))) return;
    await this.ctx.oci.kill(rec.id, 'KILL', true);
    await waitForExit(this.ctx, rec.id, 5000);
  }

  async remove(id: string): Promise<void> {
    let rec: SandboxRecord;
    try {
      rec = this.record(id);
    } catch {
      return;
    }
    await this.ctx.locks.run(rec.id, async () => {
      await this.containerOps?.stopAllIn(rec.id);
      await this.containerOps?.removeAllIn(rec.id);
      await this.teardown(rec);
    });
  }

  /** Removes every trace of the sandbox; safe to repeat after a partial failure. */
  private async teardown(rec: SandboxRecord): Promise<void> {
    const ctx = this.ctx;
    await this.stopPause(rec);
    await ctx.oci.delete(rec.id);
    await this.detachNetwork(rec).catch((e: unknown) => ctx.log.warn({ sandbox: rec.id, err: String(e) }, 'CNI DEL failed'));
    if (rec.netnsName) await deleteNetns(rec.netnsName);
    const dir = ctx.paths.sandboxDir(rec.id);
    await removeOverlay(path.join(dir, 'pause'));
    if (rec.shmPath) await unmountIfMounted(rec.shmPath);
    await removeCgroup(`${rec.podCgroup}/${rec.id.slice(0, 32)}`, ctx.cgroupVersion);
    if (rec.ownsPodCgroup) await removeCgroup(rec.podCgroup, ctx.cgroupVersion);
    await fs.rm(dir, { recursive: true, force: true });
    await removeConmonLeftovers(ctx, rec.id);
    await ctx.sandboxes.delete(rec.id);
  }

  status(id: string): PodSandboxStatus {
    const rec = this.record(id);
    const nsOpts = rec.config.linux?.security_context?.namespace_options ?? null;
    return {
      id: rec.id,
      metadata: rec.config.metadata,
      state: rec.state === 'ready' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
      created_at: toNanos(rec.createdAt),
      network: { ip: rec.ip, additional_ips: rec.additionalIps.map((ip) => ({ ip })) },
      linux: {
        namespaces: {
          options: {
            network: rec.hostNetwork ? 'NODE' : 'POD',
            pid: nsOpts?.pid ?? 'CONTAINER',
            ipc: nsOpts?.ipc ?? 'POD',
            target_id: '',
          },
        },
      },
      labels: rec.config.labels,
      annotations: rec.config.annotations,
      runtime_handler: rec.runtimeHandler,
    };
  }

  list(filter: PodSandboxFilter | null): PodSandbox[] {
    return this.ctx.sandboxes
      .list()
      .filter((rec) => {
        if (!filter) return true;
        if (filter.id && !rec.id.startsWith(filter.id)) return false;
        if (filter.state && (rec.state === 'ready' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY') !== filter.state.state) return false;
        return Object.entries(filter.label_selector).every(([k, v]) => rec.config.labels[k] === v);
      })
      .map((rec) => ({
        id: rec.id,
        metadata: rec.config.metadata,
        state: rec.state === 'ready' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
        created_at: toNanos(rec.createdAt),
        labels: rec.config.labels,
        annotations: rec.config.annotations,
        runtime_handler: rec.runtimeHandler,
      }));
  }

  /** After a restart: a sandbox whose pause container is gone is no longer ready. */
  async recover(): Promise<void> {
    for (const rec of this.ctx.sandboxes.list()) {
      const st = await this.ctx.oci.state(rec.id);
      if (rec.state === 'ready' && (!st || st.status !== 'running')) {
        this.ctx.log.warn({ sandbox: rec.id }, 'pause container not running after restart; sandbox marked not ready');
        rec.state = 'notready';
        await this.ctx.sandboxes.put(rec);
      }
    }
  }
}
