// Everything the sandbox and container services share: options, paths, helpers.
import path from 'node:path';
import type { Logger } from 'pino';
import type { CgroupVersion } from './cgroups/cgroups.js';
import type { CniInvoker } from './network/cni.js';
import type { OciRuntime } from './oci/oci-runtime.js';
import type { RuntimeImageStore } from './image-source.js';
import type { RecordStore } from './state/record-store.js';
import type { ContainerRecord, SandboxRecord } from './state/records.js';
import type { KeyedMutex } from './util/keyed-mutex.js';

export interface RuntimeOptions {
  /** Unix socket path the CRI gRPC server listens on. */
  socket: string;
  stateDir: string;
  cniConfDir: string;
  cniBinDirs: string[];
  /** 'runc', 'crun' or a path to an OCI runtime binary. */
  ociRuntime: string;
  /** Global flags passed to the OCI runtime before its subcommand (e.g. --debug, --systemd-cgroup). */
  ociRuntimeArgs?: string[];
  pauseImage: string;
  /** host:port of the streaming (exec/attach/port-forward) server. */
  streamingAddr: string;
  imageStore: RuntimeImageStore;
  logger: Logger;
  conmonPath?: string;
  /** Prefix of netns names and of the runtime's cgroup root; tests use a tkube-test- prefix. */
  namePrefix?: string;
}

export class RuntimePaths {
  constructor(readonly stateDir: string) {}
  get sandboxRecords(): string { return path.join(this.stateDir, 'sandboxes'); }
  get containerRecords(): string { return path.join(this.stateDir, 'containers'); }
  get cniCache(): string { return path.join(this.stateDir, 'cni'); }
  get ociRoot(): string { return path.join(this.stateDir, 'oci'); }
  get exitDir(): string { return path.join(this.stateDir, 'exits'); }
  get socketDir(): string { return path.join(this.stateDir, 'sock'); }
  get execDir(): string { return path.join(this.stateDir, 'exec'); }
  sandboxDir(id: string): string { return path.join(this.stateDir, 'pods', id); }
  containerDir(id: string): string { return path.join(this.stateDir, 'ctrs', id); }
  exitFile(id: string): string { return path.join(this.exitDir, id); }
  cniCacheFile(id: string): string { return path.join(this.cniCache, `${id}.json`); }
}

export interface RuntimeContext {
  opts: RuntimeOptions;
  log: Logger;
  paths: RuntimePaths;
  oci: OciRuntime;
  conmon: string;
  cni: CniInvoker;
  images: RuntimeImageStore;
  sandboxes: RecordStore<SandboxRecord>;
  containers: RecordStore<ContainerRecord>;
  cgroupVersion: CgroupVersion;
  /** Parent cgroup for pods the kubelet gave no cgroup_parent. */
  cgroupRoot: string;
  netnsPrefix: string;
  locks: KeyedMutex;
}
