/**
 * Pod volumes on the node, under <root>/pods/<uid>/volumes/<name>: emptyDir (a dir, or
 * a tmpfs for medium Memory), hostPath (with its type checks), and the projected kinds
 * (configMap, secret, downwardAPI, projected — including service-account tokens) written
 * with the atomic writer and refreshed on every pod sync so updates (and renewed tokens)
 * reach the files. Returns CRI mounts.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Container } from '../api/types/container.js';
import type { Pod } from '../api/types/pod.js';
import type { Volume } from '../api/types/volume.js';
import type { Mount } from '../runtime/cri/types.js';
import { writeAtomic, type FileProjection } from './atomic-writer.js';
import { EnvConfigError, podFieldValue, resourceFieldValue, type NodeAllocatable, type ObjectSource, type PodFieldValues } from './env.js';
import type { ServiceAccountTokenSource } from './service-account-token.js';

const run = promisify(execFile);

export interface VolumeManagerOptions {
  rootDir: string;
  objects: ObjectSource;
  allocatable: NodeAllocatable;
  fields: (pod: Pod) => PodFieldValues;
  /** Tokens for projected serviceAccountToken sources; without it such volumes fail to set up. */
  tokens?: ServiceAccountTokenSource;
}

type Items = { key: string; path: string; mode?: number }[] | undefined;

function project(data: Record<string, string | Buffer>, items: Items, mode: number, out: Map<string, FileProjection>, what: string, optional?: boolean): void {
  if (!items) {
    for (const [k, v] of Object.entries(data)) out.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new EnvConfigError(`configuration key "${it.key}" not found in ${what}`);
    }
    out.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

async function isMountpoint(p: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === p);
}

export class VolumeManager {
  constructor(private readonly o: VolumeManagerOptions) {}

  podDir(pod: Pod): string {
    return path.join(this.o.rootDir, 'pods', pod.metadata.uid!);
  }

  volumeDir(pod: Pod, name: string): string {
    return path.join(this.podDir(pod), 'volumes', name);
  }

  /** Prepares (or refreshes) every volume a container mounts and returns the CRI mounts. */
  async mountsFor(pod: Pod, c: Container): Promise<Mount[]> {
    const mounts: Mount[] = [];
    for (const vm of c.volumeMounts ?? []) {
      const vol = pod.spec.volumes?.find((v) => v.name === vm.name);
      if (!vol) throw new EnvConfigError(`volume "${vm.name}" not found in the pod spec`);
      let hostPath = await this.setUp(pod, vol);
      if (vm.subPath) {
        hostPath = path.join(hostPath, vm.subPath);
        await fs.mkdir(hostPath, { recursive: true }).catch(() => undefined);
      }
      mounts.push({
        container_path: vm.mountPath,
        host_path: hostPath,
        readonly: vm.readOnly ?? (vol.secret !== undefined || vol.configMap !== undefined || vol.downwardAPI !== undefined || vol.projected !== undefined),
        propagation: vm.mountPropagation === 'Bidirectional' ? 'PROPAGATION_BIDIRECTIONAL' : vm.mountPropagation === 'HostToContainer' ? 'PROPAGATION_HOST_TO_CONTAINER' : 'PROPAGATION_PRIVATE',
      });
    }
    return mounts;
  }

  /** Rewrites the projected volumes of a running pod (configMap/secret updates). */
  async refresh(pod: Pod): Promise<void> {
    for (const vol of pod.spec.volumes ?? []) {
      if (vol.configMap || vol.secret || vol.downwardAPI || vol.projected) {
        const dir = this.volumeDir(pod, vol.name);
        if (await fs.stat(dir).then(() => true, () => false)) await this.setUp(pod, vol);
      }
    }
  }

  private async setUp(pod: Pod, vol: Volume): Promise<string> {
    const dir = this.volumeDir(pod, vol.name);
    if (vol.hostPath) return this.hostPath(vol.hostPath.path, vol.hostPath.type ?? '');
    if (vol.emptyDir) {
      await fs.mkdir(dir, { recursive: true, mode: 0o777 });
      await fs.chmod(dir, 0o777);
      if (vol.emptyDir.medium === 'Memory' && !(await isMountpoint(dir))) {
        const size = vol.emptyDir.sizeLimit !== undefined ? [`-o`, `size=${String(vol.emptyDir.sizeLimit).replace(/i$/, '')}`] : [];
        await run('mount', ['-t', 'tmpfs', ...size, 'tmpfs', dir]);
        await fs.chmod(dir, 0o777);
      }
      return dir;
    }
    const ns = pod.metadata.namespace ?? 'default';
    const files = new Map<string, FileProjection>();
    if (vol.configMap) {
      const data = await this.o.objects.configMap(ns, vol.configMap.name ?? '');
      if (!data && !vol.configMap.optional) throw new EnvConfigError(`configmap "${vol.configMap.name}" not found`);
      project(data ?? {}, vol.configMap.items, vol.configMap.defaultMode ?? 0o644, files, `configmap ${vol.configMap.name}`, vol.configMap.optional);
    } else if (vol.secret) {
      const data = await this.o.objects.secret(ns, vol.secret.secretName ?? '');
      if (!data && !vol.secret.optional) throw new EnvConfigError(`secret "${vol.secret.secretName}" not found`);
      project(data ?? {}, vol.secret.items, vol.secret.defaultMode ?? 0o644, files, `secret ${vol.secret.secretName}`, vol.secret.optional);
    } else if (vol.downwardAPI) {
      this.downward(pod, vol.downwardAPI.items ?? [], vol.downwardAPI.defaultMode ?? 0o644, files);
    } else if (vol.projected) {
      const mode = vol.projected.defaultMode ?? 0o644;
      for (const src of vol.projected.sources ?? []) {
        if (src.configMap) {
          const data = await this.o.objects.configMap(ns, src.configMap.name ?? '');
          if (!data && !src.configMap.optional) throw new EnvConfigError(`configmap "${src.configMap.name}" not found`);
          project(data ?? {}, src.configMap.items, mode, files, `configmap ${src.configMap.name}`, src.configMap.optional);
        } else if (src.secret) {
          const data = await this.o.objects.secret(ns, src.secret.name ?? '');
          if (!data && !src.secret.optional) throw new EnvConfigError(`secret "${src.secret.name}" not found`);
          project(data ?? {}, src.secret.items, mode, files, `secret ${src.secret.name}`, src.secret.optional);
        } else if (src.downwardAPI) {
          this.downward(pod, src.downwardAPI.items ?? [], mode, files);
        } else if (src.serviceAccountToken) {
          const ask = src.serviceAccountToken;
          if (!this.o.tokens) throw new EnvConfigError(`volume "${vol.name}": this kubelet cannot request service-account tokens`);
          const token = await this.o.tokens.token(pod, { audience: ask.audience, expirationSeconds: ask.expirationSeconds ?? 3600 });
          files.set(ask.path, { data: token, mode });
        }
      }
    } else {
      throw new EnvConfigError(`volume "${vol.name}": unsupported volume source`);
    }
    await writeAtomic(dir, files);
    return dir;
  }

  private downward(pod: Pod, items: NonNullable<NonNullable<Volume['downwardAPI']>['items']>, mode: number, out: Map<string, FileProjection>): void {
    for (const it of items) {
      let value = '';
      if (it.fieldRef) value = podFieldValue(pod, it.fieldRef.fieldPath, this.o.fields(pod));
      else if (it.resourceFieldRef) {
        const c = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec.containers[0]!;
        value = resourceFieldValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor, this.o.allocatable);
      }
      out.set(it.path, { data: value, mode: it.mode ?? mode });
    }
  }

  private async hostPath(p: string, type: string): Promise<string> {
    const st = await fs.stat(p).catch(() => undefined);
    const fail = (what: string) => {
      throw new EnvConfigError(`hostPath type check failed: ${p} is not a ${what}`);
    };
    switch (type) {
      case 'DirectoryOrCreate':
        if (!st) await fs.mkdir(p, { recursive: true, mode: 0o755 });
        else if (!st.isDirectory()) fail('directory');
        break;
      case 'Directory':
        if (!st?.isDirectory()) fail('directory');
        break;
      case 'FileOrCreate':
        if (!st) {
          await fs.mkdir(path.dirname(p), { recursive: true });
          await fs.writeFile(p, '', { mode: 0o644 });
        } else if (!st.isFile()) fail('file');
        break;
      case 'File':
        if (!st?.isFile()) fail('file');
        break;
      case 'Socket':
        if (!st?.isSocket()) fail('socket');
        break;
      case 'CharDevice':
        if (!st?.isCharacterDevice()) fail('character device');
        break;
      case 'BlockDevice':
        if (!st?.isBlockDevice()) fail('block device');
        break;
      default:
        break;
    }
    return p;
  }

  /** Unmounts tmpfs emptyDirs and removes the pod's volume dirs. */
  async teardown(pod: Pod): Promise<void> {
    this.o.tokens?.forget(pod.metadata.uid!);
    const dir = this.podDir(pod);
    const volumes = path.join(dir, 'volumes');
    for (const name of await fs.readdir(volumes).catch(() => [] as string[])) {
      const p = path.join(volumes, name);
      if (await isMountpoint(p)) await run('umount', [p]);
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
}
