/**
 * The node side of the kubelet: registers the Node (or adopts an existing one), posts
 * its status every statusIntervalMs (conditions, images, addresses), renews the node
 * Lease in kube-node-lease every 10 s, and writes the CNI conflist once the node has a
 * pod CIDR (spec.podCIDR from the IPAM controller, --pod-cidr as the fallback).
 */
import os from 'node:os';
import type { Logger } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import { isApiError } from '../api/meta/errors.js';
import { leases, nodes } from '../api/registry.js';
import type { Lease } from '../api/types/lease.js';
import type { Node } from '../api/types/node.js';
import { writeConflist } from './cni-conflist.js';
import type { CriClient } from './cri-client.js';
import { buildNodeStatus, newNodeObject, readMachine, type NodeIdentity } from './node-info.js';

export interface NodeAgentOptions {
  client: KubeClient;
  cri: CriClient;
  identity: NodeIdentity;
  nodeIP: string;
  port: number;
  rootDir: string;
  /** Where the CNI conflist goes; unset = the kubelet does not manage CNI config. */
  cniConfDir?: string;
  cniBridge: string;
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  statusIntervalMs?: number;
  logger: Logger;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class NodeAgent {
  private timers: NodeJS.Timeout[] = [];
  private node: Node | undefined;
  private podCIDR: string | undefined;
  private stopped = false;

  constructor(private readonly o: NodeAgentOptions) {}

  get currentNode(): Node | undefined {
    return this.node;
  }

  async start(): Promise<void> {
    await this.register();
    await this.renewLease().catch((err: unknown) => this.o.logger.warn({ err }, 'lease renewal failed'));
    this.timers.push(setInterval(() => void this.renewLease().catch((err: unknown) => this.o.logger.warn({ err }, 'lease renewal failed')), this.o.leaseRenewMs ?? 10_000));
    this.timers.push(setInterval(() => void this.syncStatus().catch((err: unknown) => this.o.logger.warn({ err }, 'node status update failed')), this.o.statusIntervalMs ?? 10_000));
    this.fastStatusUntilReady();
  }

  /**
   * Like the kubelet's fastStatusUpdateOnce: until the node is first posted Ready (the
   * pod CIDR arrives, the CNI config is written, the runtime reports its network ready),
   * post status every half second instead of waiting for the next 10 s tick.
   */
  private fastStatusUntilReady(): void {
    const deadline = Date.now() + 120_000;
    const tick = async (): Promise<void> => {
      if (this.stopped || this.isReady() || Date.now() > deadline) return;
      await this.syncStatus().catch((err: unknown) => this.o.logger.debug({ err }, 'fast node status update failed'));
      if (!this.stopped && !this.isReady()) this.timers.push(setTimeout(() => void tick(), 500));
    };
    void tick();
  }

  private isReady(): boolean {
    return this.node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private async status(previous?: Node['status']): Promise<NonNullable<Node['status']>> {
    const { cri } = this.o;
    const [version, runtimeStatus, images] = await Promise.all([
      cri.runtime('Version', {}),
      cri.runtime('Status', {}).catch(() => undefined),
      cri.image('ListImages', {}).catch(() => ({ images: [] })),
    ]);
    const conds = runtimeStatus?.status?.conditions ?? [];
    const notReady = conds.filter((c) => (c.type === 'RuntimeReady' || c.type === 'NetworkReady') && !c.status);
    return buildNodeStatus({
      machine: readMachine(this.o.rootDir),
      nodeIP: this.o.nodeIP,
      hostname: os.hostname(),
      port: this.o.port,
      runtimeVersion: `${version.runtime_name}://${version.runtime_version}`,
      runtimeReady: runtimeStatus !== undefined && notReady.length === 0,
      runtimeMessage: notReady.map((c) => `${c.type}=false reason:${c.reason} message:${c.message}`).join(', ') || undefined,
      images: images.images,
      now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      previous,
    });
  }

  private async register(): Promise<void> {
    const api = this.o.client.resource(nodes);
    const status = await this.status();
    try {
      this.node = await api.create(newNodeObject(this.o.identity, status));
      this.o.logger.info({ node: this.o.identity.nodeName }, 'node registered');
    } catch (err) {
      if (!(isApiError(err, 'AlreadyExists'))) throw err;
      // Registered before (a restart): keep it, merge our labels in, post fresh status.
      const existing = await api.get(this.o.identity.nodeName);
      const wantLabels = newNodeObject(this.o.identity, status).metadata.labels ?? {};
      const missing = Object.entries(wantLabels).some(([k, v]) => existing.metadata.labels?.[k] !== v);
      this.node = missing ? await api.patch(existing.metadata.name!, 'merge', { metadata: { labels: wantLabels } }) : existing;
    }
    await this.syncStatus();
  }

  /** Posts status, then (re)writes the CNI config from the pod CIDR. */
  async syncStatus(): Promise<void> {
    if (this.stopped) return;
    const api = this.o.client.resource(nodes);
    let current: Node;
    try {
      current = await api.get(this.o.identity.nodeName);
    } catch (err) {
      // Someone deleted our Node: register again, as the kubelet does.
      if (isApiError(err, 'NotFound')) return this.register();
      throw err;
    }
    const status = await this.status(current.status);
    this.node = await api.patchStatus(current.metadata.name!, 'merge', { status });
    await this.syncCni(this.node);
  }

  private async syncCni(node: Node): Promise<void> {
    const cidr = node.spec?.podCIDR || this.o.identity.podCIDR;
    if (!cidr || !this.o.cniConfDir || cidr === this.podCIDR) return;
    if (await writeConflist(this.o.cniConfDir, { podCIDR: cidr, bridge: this.o.cniBridge })) {
      this.o.logger.info({ podCIDR: cidr, dir: this.o.cniConfDir }, 'wrote CNI config');
    }
    this.podCIDR = cidr;
  }

  async renewLease(): Promise<void> {
    if (this.stopped) return;
    const name = this.o.identity.nodeName;
    const api = this.o.client.resource(leases, 'kube-node-lease');
    const spec = { holderIdentity: name, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: microTime() };
    let lease: Lease | undefined;
    try {
      lease = await api.get(name);
    } catch (err) {
      if (!(isApiError(err, 'NotFound'))) throw err;
    }
    if (!lease) {
      const owner = this.node?.metadata.uid
        ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.node.metadata.uid }]
        : undefined;
      await api.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease', ...(owner ? { ownerReferences: owner } : {}) },
        spec,
      } as Lease);
      return;
    }
    await api.update({ ...lease, spec: { ...lease.spec, ...spec } });
  }
}
