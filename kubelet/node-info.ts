/**
 * What the kubelet reports about its machine: capacity, conditions, addresses and
 * nodeInfo, read from /proc, os and statfs. Pure builders take the readings so tests
 * can check the shapes without depending on the host.
 */
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { Node, NodeCondition, NodeStatus } from '../api/types/node.js';
import type { Image } from '../runtime/cri/types.js';

export const KUBELET_VERSION = 'v1.32.0-tkube';
export const MAX_PODS = 110;

export interface MachineReadings {
  cpus: number;
  memoryBytes: number;
  memAvailableBytes: number;
  diskBytes: number;
  diskAvailableBytes: number;
  pidsMax: number;
  pidsInUse: number;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  bootID: string;
  architecture: string;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** Kubernetes architecture names (GOARCH) from Node's process.arch. */
export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

function osPrettyName(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? `${os.type()} ${os.release()}`;
}

function memAvailable(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readOr('/proc/meminfo', ''));
  return m ? Number(m[1]) * 1024 : os.freemem();
}

export function readMachine(rootDir: string): MachineReadings {
  let diskBytes = 0;
  let diskAvailableBytes = 0;
  try {
    const s = statfsSync(rootDir);
    diskBytes = s.blocks * s.bsize;
    diskAvailableBytes = s.bavail * s.bsize;
  } catch {
    /* the root dir may not exist yet: report 0 */
  }
  const loadavg = readOr('/proc/loadavg', '0 0 0 0/0 0');
  const threads = Number(/\d+\/(\d+)/.exec(loadavg)?.[1] ?? 0);
  return {
    cpus: os.cpus().length || 1,
    memoryBytes: os.totalmem(),
    memAvailableBytes: memAvailable(),
    diskBytes,
    diskAvailableBytes,
    pidsMax: Number(readOr('/proc/sys/kernel/pid_max', '32768')),
    pidsInUse: threads,
    kernelVersion: os.release(),
    osImage: osPrettyName(),
    machineID: readOr('/etc/machine-id', ''),
    bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
    architecture: goArch(),
  };
}

function condition(type: string, pressure: boolean, reason: string, message: string, now: string, prev?: NodeCondition[]): NodeCondition {
  const status = type === 'Ready' ? (pressure ? 'False' : 'True') : pressure ? 'True' : 'False';
  const old = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: old && old.status === status ? (old.lastTransitionTime ?? now) : now,
  };
}

export interface StatusInputs {
  machine: MachineReadings;
  nodeIP: string;
  hostname: string;
  port: number;
  runtimeVersion: string;
  /** Runtime reports ready (CRI Status RuntimeReady + NetworkReady). */
  runtimeReady: boolean;
  runtimeMessage?: string;
  images: Image[];
  now: string;
  previous?: NodeStatus;
}

/** Eviction-like thresholds as the kubelet's defaults: memory.available<100Mi, nodefs.available<10%. */
export function buildNodeStatus(i: StatusInputs): NodeStatus {
  const m = i.machine;
  const capacity = {
    cpu: String(m.cpus),
    memory: `${Math.floor(m.memoryBytes / 1024)}Ki`,
    pods: String(MAX_PODS),
    'ephemeral-storage': `${Math.floor(m.diskBytes / 1024)}Ki`,
  };
  const reservedMem = 100 * 1024 * 1024;
  const allocatable = {
    ...capacity,
    memory: `${Math.max(0, Math.floor((m.memoryBytes - reservedMem) / 1024))}Ki`,
    'ephemeral-storage': String(Math.floor(m.diskBytes * 0.9)),
  };
  const memPressure = m.memAvailableBytes < reservedMem;
  const diskPressure = m.diskBytes > 0 && m.diskAvailableBytes < m.diskBytes * 0.1;
  const pidPressure = m.pidsInUse > m.pidsMax * 0.9;
  const prev = i.previous?.conditions;
  const conditions = [
    condition('MemoryPressure', memPressure, memPressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory',
      memPressure ? 'kubelet has insufficient memory available' : 'kubelet has sufficient memory available', i.now, prev),
    condition('DiskPressure', diskPressure, diskPressure ? 'KubeletHasDiskPressure' : 'KubeletHasNoDiskPressure',
      diskPressure ? 'kubelet has disk pressure' : 'kubelet has no disk pressure', i.now, prev),
    condition('PIDPressure', pidPressure, pidPressure ? 'KubeletHasInsufficientPID' : 'KubeletHasSufficientPID',
      pidPressure ? 'kubelet has insufficient PID available' : 'kubelet has sufficient PID available', i.now, prev),
    condition('Ready', !i.runtimeReady, i.runtimeReady ? 'KubeletReady' : 'KubeletNotReady',
      i.runtimeReady ? 'kubelet is posting ready status' : (i.runtimeMessage ?? 'container runtime is not ready'), i.now, prev),
  ];
  return {
    capacity,
    allocatable,
    conditions,
    addresses: [
      { type: 'InternalIP', address: i.nodeIP },
      { type: 'Hostname', address: i.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: i.port } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.machineID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: i.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: m.architecture,
    },
    images: imagesForStatus(i.images),
  };
}

/** As the kubelet: biggest first, at most 50, names = tags then digests. */
export function imagesForStatus(images: Image[]): NonNullable<NodeStatus['images']> {
  return [...images]
    .sort((a, b) => Number(b.size) - Number(a.size))
    .slice(0, 50)
    .map((img) => ({ names: [...img.repo_digests, ...img.repo_tags], sizeBytes: Number(img.size) }))
    .filter((img) => img.names.length > 0);
}

export interface NodeIdentity {
  nodeName: string;
  labels: Record<string, string>;
  taints: NonNullable<Node['spec']['taints']>;
  podCIDR?: string;
}

/** The Node object registered at start. */
export function newNodeObject(id: NodeIdentity, status: NodeStatus): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.nodeName,
      labels: {
        'kubernetes.io/hostname': id.nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': status.nodeInfo?.architecture ?? goArch(),
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': status.nodeInfo?.architecture ?? goArch(),
        ...id.labels,
      },
    },
    spec: {
      ...(id.taints.length ? { taints: id.taints } : {}),
    },
    status,
  } as Node;
}

/** "k=v:NoSchedule,k2:NoExecute" (--register-with-taints). */
export function parseTaints(s: string | undefined): NodeIdentity['taints'] {
  if (!s) return [];
  return s.split(',').filter(Boolean).map((part) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part.trim());
    if (!m) throw new Error(`invalid taint ${part} (want key[=value]:Effect)`);
    return { key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3] as 'NoSchedule' };
  });
}

/** "a=b,c=d" (--node-labels). */
export function parseLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label ${part} (want key=value)`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
