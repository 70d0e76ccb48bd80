/**
 * The network agent (what flanneld is to flannel): watches Nodes and makes this node's
 * network namespace route to every other node's pod CIDR, by host-gw routes or a VXLAN
 * overlay, with forwarding on and the pod masquerade rules in place.
 *
 * Level-triggered: every Node event enqueues the one key "sync"; a sync reads the
 * informer cache and makes the kernel state match it (and re-checks every resyncMs, so a
 * route someone deleted comes back). Restarting is harmless: devices and routes that are
 * already right are adopted as they are. Nothing is removed on exit unless asked.
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { nodes } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import { cleanupNetworkAgent } from './cleanup.js';
import { desiredState, vxlanDeviceName } from './desired-state.js';
import { NetnsHost } from './host.js';
import { ensureIptablesRules } from './iptables-rules.js';
import { annotationPatch, desiredAnnotations, nodeNetInfo, vtepAddress, vtepMacFor, type BackendMode, type NodeNetInfo } from './node-view.js';
import { syncRoutes } from './routes.js';
import { deleteVxlanDevice, ensureVxlanDevice, listAgentVxlanDevices, underlayMtu, VXLAN_OVERHEAD } from './vxlan-device.js';
import { syncFdb, syncNeighbours } from './vxlan-neighbours.js';

export const DEFAULT_VNI = 1;
/** Linux's IANA-predating VXLAN port, the one flannel uses. */
export const DEFAULT_VXLAN_PORT = 8472;
const SYNC_KEY = 'sync';

export interface NetworkAgentOptions {
  client: KubeClient;
  nodeName: string;
  mode: BackendMode;
  /** All pods of the cluster: traffic within it is not masqueraded. */
  clusterCidr: string;
  vni?: number;
  vxlanPort?: number;
  /** Underlay device: binds the VXLAN tunnel and sets host-gw routes' device. */
  interface?: string;
  /** iproute2 named netns to program; undefined = this process's own. */
  netns?: string;
  /** Remove device, routes and chains when run() ends. */
  cleanupOnExit?: boolean;
  /** How often a full sync runs without any Node event (default 30 s). */
  resyncMs?: number;
  logger: Logger;
}

/** What the last successful sync did; for logs and tests. */
export interface SyncReport {
  self: NodeNetInfo;
  peers: number;
  vtepMac?: string;
}

export class NetworkAgent {
  private readonly host: NetnsHost;
  private readonly informers: SharedInformerFactory;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly log: Logger;
  private readonly vni: number;
  private readonly port: number;
  private lastReport: SyncReport | undefined;

  constructor(private readonly opts: NetworkAgentOptions) {
    this.host = new NetnsHost(opts.netns);
    this.vni = opts.vni ?? DEFAULT_VNI;
    this.port = opts.vxlanPort ?? DEFAULT_VXLAN_PORT;
    this.log = opts.logger.child({ component: 'network-agent', node: opts.nodeName, mode: opts.mode });
    this.informers = new SharedInformerFactory(opts.client, { logger: this.log });
    const enqueue = () => this.queue.add(SYNC_KEY);
    this.informers.informerFor(nodes).addEventHandler({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue });
  }

  get report(): SyncReport | undefined {
    return this.lastReport;
  }

  /** Runs until `signal` aborts; then cleans up if cleanupOnExit. */
  async run(signal: AbortSignal): Promise<void> {
    this.informers.start();
    try {
      if (!(await this.informers.waitForCacheSync(signal))) return;
      this.queue.add(SYNC_KEY);
      const controller = runController({
        name: 'network-agent',
        queue: this.queue,
        workers: 1,
        logger: this.log,
        signal,
        reconcile: () => this.sync(),
      });
      await controller.done;
    } finally {
      await this.informers.shutdown();
      if (this.opts.cleanupOnExit) {
        await cleanupNetworkAgent({ netns: this.opts.netns });
        this.log.info('removed routes, VXLAN device and iptables chains');
      }
    }
  }

  /** One full pass: own node's facts → kernel state. */
  async sync(): Promise<ReconcileResult> {
    const store = this.informers.informerFor(nodes).store;
    const selfNode = store.getByName(undefined, this.opts.nodeName);
    const self = selfNode ? nodeNetInfo(selfNode) : undefined;
    if (!selfNode || !self) {
      // A Node update (podCIDR from nodeipam, addresses from the kubelet) will enqueue again.
      this.log.info('waiting for this Node to have a podCIDR and an InternalIP');
      return {};
    }
    await this.host.setSysctl('net.ipv4.ip_forward', '1');
    await ensureIptablesRules(this.host, this.opts.clusterCidr);

    const vtepMac = this.opts.mode === 'vxlan' ? await this.ensureVtep(self) : await this.removeVteps();
    await this.publish(selfNode, self, vtepMac);

    const peers = store.list().map(nodeNetInfo).filter((n): n is NodeNetInfo => n !== undefined);
    const want = desiredState(this.opts.mode, self, peers, this.vni, this.opts.interface);
    if (this.opts.mode === 'vxlan') {
      // Neighbour and FDB entries first: a route must never point at an unresolvable VTEP.
      const dev = vxlanDeviceName(this.vni);
      await syncNeighbours(this.host, dev, want.neighbours);
      await syncFdb(this.host, dev, want.fdb);
    }
    const { changes, errors } = await syncRoutes(this.host, want.routes);
    for (const r of changes.remove) this.log.info({ dst: r.dst, gateway: r.gateway }, 'removed route');
    for (const r of changes.replace) this.log.info({ dst: r.dst, gateway: r.gateway, dev: r.dev }, 'programmed route');
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} route(s) could not be programmed: ${errors.map((e) => e.message).join('; ')}`);
    this.lastReport = { self, peers: want.routes.length, ...(vtepMac ? { vtepMac } : {}) };
    return { requeueAfter: this.opts.resyncMs ?? 30_000 };
  }

  private async ensureVtep(self: NodeNetInfo): Promise<string> {
    const vtepIp = vtepAddress(self);
    // A device of an earlier run with another --vxlan-id would hold the same .0 address.
    for (const dev of await listAgentVxlanDevices(this.host)) {
      if (dev !== vxlanDeviceName(this.vni)) await deleteVxlanDevice(this.host, dev);
    }
    const underlay = await underlayMtu(this.host, self.internalIp, this.opts.interface);
    const { mac, created } = await ensureVxlanDevice(this.host, {
      name: vxlanDeviceName(this.vni),
      vni: this.vni,
      port: this.port,
      localIp: self.internalIp,
      ...(this.opts.interface ? { underlay: this.opts.interface } : {}),
      mac: vtepMacFor(vtepIp),
      mtu: underlay.mtu - VXLAN_OVERHEAD,
      address: `${vtepIp}/32`,
    });
    if (created) this.log.info({ device: vxlanDeviceName(this.vni), mac, local: self.internalIp, underlay: underlay.dev }, 'created VXLAN device');
    return mac.toLowerCase();
  }

  /** host-gw mode: a VXLAN device left from an earlier vxlan run would only confuse. */
  private async removeVteps(): Promise<undefined> {
    for (const dev of await listAgentVxlanDevices(this.host)) await deleteVxlanDevice(this.host, dev);
    return undefined;
  }

  private async publish(node: Node, self: NodeNetInfo, vtepMac: string | undefined): Promise<void> {
    const patch = annotationPatch(node, desiredAnnotations(this.opts.mode, self.internalIp, vtepMac));
    if (!patch) return;
    await this.opts.client
      .resource(nodes)
      .patch(self.name, 'merge', { metadata: { uid: node.metadata.uid, annotations: patch } });
    this.log.info({ annotations: patch }, 'published backend data on the Node');
  }
}
