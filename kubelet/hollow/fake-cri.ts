/**
 * An in-memory CRI for hollow nodes: sandboxes and containers are records whose state
 * moves as a real runtime's would (created → running → exited), with configurable
 * start and stop delays; every image is present; ExecSync succeeds with exit 0.
 * Containers never exit on their own. It implements the methods the kubelet calls,
 * as an InProcessCri for `new CriClient({ inProcess })`.
 */
import * as grpc from '@grpc/grpc-js';
import { criError, type InProcessCri } from '../cri-client.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStatus,
  Image,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxState,
  StringMap,
} from '../../runtime/cri/types.js';

export interface FakeCriOptions {
  /** How long StartContainer takes (the "pull + start" of a real runtime). */
  startDelayMs?: number;
  /** How long StopContainer takes, capped by the request's grace period. */
  stopDelayMs?: number;
  /** Gives each new sandbox its IP. */
  allocateIP: () => string;
}

interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  createdAt: bigint;
  ip: string;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  state: ContainerState;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  reason: string;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());
const nowNanos = (): bigint => BigInt(Date.now()) * 1_000_000n;
const ns = (n: bigint): string => (n === 0n ? '0' : n.toString());

function labelsMatch(labels: StringMap, selector: StringMap | undefined): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) if (labels[k] !== v) return false;
  return true;
}

function notFound(what: string, id: string | undefined): Error {
  return criError(grpc.status.NOT_FOUND, `${what} ${id ?? ''} not found`);
}

function fakeImage(spec: ImageSpec | null | undefined): Image {
  const name = spec?.image ?? '';
  return {
    id: `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    repo_tags: [name],
    repo_digests: [],
    size: 1024 * 1024,
    uid: null,
    username: '',
    spec: { image: name, annotations: {} },
    pinned: false,
  };
}

export class FakeCri {
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private nextId = 1;

  constructor(private readonly o: FakeCriOptions) {}

  get counts(): { sandboxes: number; containers: number; running: number } {
    let running = 0;
    for (const c of this.containers.values()) if (c.state === 'CONTAINER_RUNNING') running++;
    return { sandboxes: this.sandboxes.size, containers: this.containers.size, running };
  }

  private id(): string {
    return (this.nextId++).toString(16).padStart(16, '0');
  }

  private sandbox(id: string | undefined): SandboxRecord {
    const s = id ? this.sandboxes.get(id) : undefined;
    if (!s) throw notFound('pod sandbox', id);
    return s;
  }

  private container(id: string | undefined): ContainerRecord {
    const c = id ? this.containers.get(id) : undefined;
    if (!c) throw notFound('container', id);
    return c;
  }

  private listSandboxes(f: PodSandboxFilter | null | undefined): PodSandbox[] {
    const out: PodSandbox[] = [];
    for (const s of this.sandboxes.values()) {
      if (f?.id && s.id !== f.id) continue;
      if (f?.state && s.state !== f.state.state) continue;
      if (!labelsMatch(s.config.labels, f?.label_selector)) continue;
      out.push({ id: s.id, metadata: s.config.metadata, state: s.state, created_at: ns(s.createdAt), labels: s.config.labels, annotations: s.config.annotations, runtime_handler: '' });
    }
    return out;
  }

  private listContainers(f: ContainerFilter | null | undefined): Container[] {
    const out: Container[] = [];
    for (const c of this.containers.values()) {
      if (f?.id && c.id !== f.id) continue;
      if (f?.pod_sandbox_id && c.sandboxId !== f.pod_sandbox_id) continue;
      if (f?.state && c.state !== f.state.state) continue;
      if (!labelsMatch(c.config.labels, f?.label_selector)) continue;
      const image = fakeImage(c.config.image);
      out.push({
        id: c.id, pod_sandbox_id: c.sandboxId, metadata: c.config.metadata, image: c.config.image, image_ref: image.id,
        state: c.state, created_at: ns(c.createdAt), labels: c.config.labels, annotations: c.config.annotations, image_id: image.id,
      });
    }
    return out;
  }

  private status(c: ContainerRecord): ContainerStatus {
    const image = fakeImage(c.config.image);
    return {
      id: c.id, metadata: c.config.metadata, state: c.state, created_at: ns(c.createdAt), started_at: ns(c.startedAt),
      finished_at: ns(c.finishedAt), exit_code: c.exitCode, image: c.config.image, image_ref: image.id, reason: c.reason,
      message: '', labels: c.config.labels, annotations: c.config.annotations, mounts: c.config.mounts, log_path: c.config.log_path,
      resources: { linux: c.config.linux?.resources ?? null }, image_id: image.id,
    };
  }

  private async stopContainer(c: ContainerRecord, graceS: number): Promise<void> {
    if (c.state !== 'CONTAINER_RUNNING' && c.state !== 'CONTAINER_CREATED') return;
    await sleep(Math.min(this.o.stopDelayMs ?? 0, Math.max(graceS, 0) * 1000));
    if (c.state !== 'CONTAINER_RUNNING' && c.state !== 'CONTAINER_CREATED') return;
    c.exitCode = c.state === 'CONTAINER_RUNNING' ? 137 : 0;
    c.reason = c.state === 'CONTAINER_RUNNING' ? 'Error' : '';
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = nowNanos();
  }

  /** The CRI services as the kubelet's CriClient calls them. */
  services(): InProcessCri {
    return {
      runtime: {
        Version: async () => ({ version: '0.1.0', runtime_name: 'tkube-hollow', runtime_version: '0.1.0', runtime_api_version: 'v1' }),
        Status: async () => ({
          status: { conditions: [
            { type: 'RuntimeReady', status: true, reason: '', message: '' },
            { type: 'NetworkReady', status: true, reason: '', message: '' },
          ] },
          info: {},
        }),
        RunPodSandbox: async (req) => {
          if (!req.config) throw criError(grpc.status.INVALID_ARGUMENT, 'sandbox config is required');
          const id = this.id();
          this.sandboxes.set(id, { id, config: req.config, state: 'SANDBOX_READY', createdAt: nowNanos(), ip: this.o.allocateIP() });
          return { pod_sandbox_id: id };
        },
        StopPodSandbox: async (req) => {
          const s = this.sandbox(req.pod_sandbox_id);
          await Promise.all([...this.containers.values()].filter((c) => c.sandboxId === s.id).map((c) => this.stopContainer(c, 0)));
          s.state = 'SANDBOX_NOTREADY';
          return {};
        },
        RemovePodSandbox: async (req) => {
          const id = req.pod_sandbox_id ?? '';
          for (const c of [...this.containers.values()]) if (c.sandboxId === id) this.containers.delete(c.id);
          this.sandboxes.delete(id);
          return {};
        },
        PodSandboxStatus: async (req) => {
          const s = this.sandbox(req.pod_sandbox_id);
          return {
            status: {
              id: s.id, metadata: s.config.metadata, state: s.state, created_at: ns(s.createdAt),
              network: s.state === 'SANDBOX_READY' ? { ip: s.ip, additional_ips: [] } : null,
              linux: null, labels: s.config.labels, annotations: s.config.annotations, runtime_handler: '',
            },
            info: {},
          };
        },
        ListPodSandbox: async (req) => ({ items: this.listSandboxes(req.filter) }),
        CreateContainer: async (req) => {
          const s = this.sandbox(req.pod_sandbox_id);
          if (s.state !== 'SANDBOX_READY') throw criError(grpc.status.FAILED_PRECONDITION, `sandbox ${s.id} is not ready`);
          if (!req.config) throw criError(grpc.status.INVALID_ARGUMENT, 'container config is required');
          const id = this.id();
          this.containers.set(id, {
            id, sandboxId: s.id, config: req.config, state: 'CONTAINER_CREATED', createdAt: nowNanos(),
            startedAt: 0n, finishedAt: 0n, exitCode: 0, reason: '',
          });
          return { container_id: id };
        },
        StartContainer: async (req) => {
          const c = this.container(req.container_id);
          if (c.state !== 'CONTAINER_CREATED') throw criError(grpc.status.FAILED_PRECONDITION, `container ${c.id} is not in created state`);
          await sleep(this.o.startDelayMs ?? 0);
          if (c.state !== 'CONTAINER_CREATED') throw criError(grpc.status.FAILED_PRECONDITION, `container ${c.id} was stopped while starting`);
          c.state = 'CONTAINER_RUNNING';
          c.startedAt = nowNanos();
          return {};
        },
        StopContainer: async (req) => {
          await this.stopContainer(this.container(req.container_id), req.timeout ?? 0);
          return {};
        },
        RemoveContainer: async (req) => {
          this.containers.delete(req.container_id ?? '');
          return {};
        },
        ListContainers: async (req) => ({ containers: this.listContainers(req.filter) }),
        ContainerStatus: async (req) => ({ status: this.status(this.container(req.container_id)), info: {} }),
        ExecSync: async (req) => {
          const c = this.container(req.container_id);
          if (c.state !== 'CONTAINER_RUNNING') throw criError(grpc.status.FAILED_PRECONDITION, `container ${c.id} is not running`);
          return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exit_code: 0 };
        },
        UpdateRuntimeConfig: async () => ({}),
      },
      image: {
        ListImages: async () => ({ images: [] }),
        ImageStatus: async (req) => ({ image: fakeImage(req.image), info: {} }),
        PullImage: async (req) => ({ image_ref: fakeImage(req.image).id }),
      },
    };
  }
}
