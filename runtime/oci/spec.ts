// Builds an OCI runtime spec (config.json) for runc/crun from what the runtime
// resolved out of the CRI request, the image and the sandbox.
import { DEFAULT_CAPABILITIES } from './capabilities.js';

export interface OciMount { destination: string; type: string; source: string; options: string[] }
export interface OciNamespace { type: 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'cgroup' | 'user'; path?: string }
export interface OciResources {
  devices: { allow: boolean; access: string; type?: string; major?: number; minor?: number }[];
  memory?: { limit?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  unified?: Record<string, string>;
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[]; inheritable: string[]; ambient: string[] };
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
    rlimits: { type: string; hard: number; soft: number }[];
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: OciNamespace[];
    cgroupsPath: string;
    resources: OciResources;
    maskedPaths: string[];
    readonlyPaths: string[];
    sysctl?: Record<string, string>;
  };
  annotations?: Record<string, string>;
}

export interface ResourceLimits {
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  memoryLimit?: number;
  memorySwapLimit?: number;
  unified?: Record<string, string>;
}

export interface BindMount { containerPath: string; hostPath: string; readonly: boolean; propagation?: 'private' | 'rslave' | 'rshared' }

export interface SpecInput {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  rootfs: string;
  readonlyRootfs: boolean;
  hostname?: string;
  namespaces: OciNamespace[];
  cgroupsPath: string;
  resources?: ResourceLimits;
  capabilities?: string[];
  ambientCapabilities?: string[];
  privileged?: boolean;
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  binds: BindMount[];
  sysctls?: Record<string, string>;
  terminal?: boolean;
}

export const DEFAULT_MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The filesystem every Linux container gets before the user's mounts. */
export function defaultMounts(privileged: boolean): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'],
    },
  ];
}

function bindToOci(b: BindMount): OciMount {
  const options = ['rbind', b.readonly ? 'ro' : 'rw', b.propagation ?? 'rprivate'];
  return { destination: b.containerPath, type: 'bind', source: b.hostPath, options };
}

export function buildSpec(input: SpecInput): OciSpec {
  const caps = input.capabilities ?? [...DEFAULT_CAPABILITIES];
  const ambient = input.ambientCapabilities ?? [];
  const userDests = new Set(input.binds.map((b) => b.containerPath));
  // A user mount over a default destination (e.g. /dev/shm) replaces the default.
  const mounts = [...defaultMounts(input.privileged ?? false).filter((m) => !userDests.has(m.destination)), ...input.binds.map(bindToOci)];
  const r = input.resources ?? {};
  const resources: OciResources = { devices: [{ allow: input.privileged ?? false, access: 'rwm' }] };
  if (r.memoryLimit && r.memoryLimit > 0) {
    resources.memory = { limit: r.memoryLimit };
    if (r.memorySwapLimit && r.memorySwapLimit > 0) resources.memory.swap = r.memorySwapLimit;
  }
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpuQuota && r.cpuQuota > 0) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;
  if (r.unified && Object.keys(r.unified).length > 0) resources.unified = r.unified;

  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: input.terminal ?? false,
      user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}) },
      args: input.args,
      env: input.env,
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient },
      noNewPrivileges: input.noNewPrivileges ?? false,
      // No rlimits: containers inherit the runtime's (raising them can be forbidden, e.g. nested).
      rlimits: [],
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    mounts,
    linux: {
      namespaces: input.namespaces,
      cgroupsPath: input.cgroupsPath,
      resources,
      maskedPaths: input.privileged ? [] : (input.maskedPaths ?? DEFAULT_MASKED_PATHS),
      readonlyPaths: input.privileged ? [] : (input.readonlyPaths ?? DEFAULT_READONLY_PATHS),
    },
  };
  if (input.oomScoreAdj !== undefined && input.oomScoreAdj !== 0) spec.process.oomScoreAdj = input.oomScoreAdj;
  if (input.hostname !== undefined) spec.hostname = input.hostname;
  if (input.sysctls && Object.keys(input.sysctls).length > 0) spec.linux.sysctl = input.sysctls;
  return spec;
}
