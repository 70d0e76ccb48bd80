/**
 * The kubelet: registers the node and keeps its lease, watches the pods bound to it
 * (fieldSelector spec.nodeName), runs one serialised worker per pod (keyed by uid),
 * notices container exits with a 1 s PLEG relist of CRI, resyncs every pod
 * periodically, and serves its HTTP API (logs, exec, attach) on --port.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { KubeClient } from '../api/client/kube-client.js';
import { EventRecorder } from '../api/events/recorder.js';
import { SharedInformer, deletedObject } from '../api/informer/informer.js';
import { isApiError } from '../api/meta/errors.js';
import { configMaps, pods as podsDef, secrets } from '../api/registry.js';
import type { Pod } from '../api/types/pod.js';
import { CriClient } from './cri-client.js';
import { apiserverServiceEnv, endpointOfUrl, type ObjectSource, type ServiceEndpoint } from './env.js';
import { POD_UID } from './labels.js';
import { NodeAgent } from './node-agent.js';
import { readMachine, type NodeIdentity } from './node-info.js';
import { PodSyncer } from './pod-sync.js';
import { PodWorkers, type WorkerResult } from './pod-workers.js';
import { ProbeManager } from './probes.js';
import { startKubeletServer, type KubeletServer } from './server.js';
import { webhookAuthorizer, type KubeletAuthorizer } from './api-auth.js';
import type { ServingCertificate } from './serving-certificate.js';
import { ServiceAccountTokenManager } from './service-account-token.js';
import { VolumeManager } from './volumes.js';
import { CrashBackoff } from './crash-backoff.js';

export interface KubeletOptions {
  client: KubeClient;
  nodeName: string;
  /** unix:///run/tkube/runtime.sock */
  runtimeEndpoint: string;
  /** A CRI client to use instead of connecting to runtimeEndpoint (hollow nodes inject an in-process one). */
  cri?: CriClient;
  rootDir: string;
  podLogsDir?: string;
  nodeIP: string;
  /** HTTP API port (10250); 0 = any free port. */
  port?: number;
  address?: string;
  podCIDR?: string;
  cniConfDir?: string;
  cniBridge?: string;
  nodeLabels?: Record<string, string>;
  taints?: NodeIdentity['taints'];
  clusterDNS?: string[];
  clusterDomain?: string;
  cgroupRoot?: string;
  resyncMs?: number;
  plegMs?: number;
  statusIntervalMs?: number;
  crashBackoffInitialMs?: number;
  logger?: Logger;
  /**
   * Where containers reach the apiserver (KUBERNETES_SERVICE_HOST/PORT; tkube has no
   * Service proxy, so it is the apiserver's own address). Default: the client's server URL.
   */
  apiserverEndpoint?: ServiceEndpoint;
  /** Serve the API over HTTPS with client-certificate authentication; absent = plain HTTP, no checks. */
  serverTls?: {
    certificate: ServingCertificate;
    /** PEM of --client-ca-file. */
    clientCA: string;
    /** Default: SubjectAccessReviews through `client` (the Webhook authorizer). */
    authorize?: KubeletAuthorizer;
  };
}

export interface Kubelet {
  nodeName: string;
  port: number;
  server: KubeletServer;
  stop(): Promise<void>;
}

function objectSource(client: KubeClient, apiserver: ServiceEndpoint): ObjectSource {
  const serviceEnv = apiserverServiceEnv(apiserver);
  const get = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  return {
    async configMap(ns, name) {
      const cm = await get(() => client.resource(configMaps, ns).get(name));
      return cm ? { ...(cm.data ?? {}) } : undefined;
    },
    async secret(ns, name) {
      const s = await get(() => client.resource(secrets, ns).get(name));
      if (!s) return undefined;
      return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    },
    serviceEnv: () => serviceEnv,
  };
}

export async function startKubelet(o: KubeletOptions): Promise<Kubelet> {
  const log = o.logger ?? pino({ level: 'info' });
  const { client } = o;
  const cri = o.cri ?? new CriClient({ endpoint: o.runtimeEndpoint });
  const version = await cri.runtime('Version', {});
  const runtimeName = version.runtime_name || 'tkube';
  const machine = readMachine(o.rootDir);
  const allocatable = { cpuCores: machine.cpus, memoryBytes: machine.memoryBytes };
  const recorder = new EventRecorder({ client, component: 'kubelet', host: o.nodeName, logger: log });
  const objects = objectSource(client, o.apiserverEndpoint ?? endpointOfUrl(client.transport.server.href));
  const informer = new SharedInformer<Pod>(client.resource(podsDef), { fieldSelector: `spec.nodeName=${o.nodeName}`, logger: log });
  const byUid = new Map<string, Pod>();
  const podByUid = (uid: string): Pod | undefined => byUid.get(uid);
  const volumes = new VolumeManager({
    rootDir: o.rootDir,
    objects,
    allocatable,
    tokens: new ServiceAccountTokenManager({ client, logger: log }),
    fields: (pod) => ({ podIP: pod.status?.podIP, podIPs: pod.status?.podIPs?.map((p) => p.ip), hostIP: o.nodeIP, nodeName: o.nodeName }),
  });
  let workers: PodWorkers | undefined;
  let syncerRef: PodSyncer | undefined;
  const probes = new ProbeManager({ cri, recorder, logger: log, onChange: (uid) => workers?.enqueue(uid), podIP: (uid) => syncerRef?.podIPs.get(uid) });
  const syncer = new PodSyncer({
    client,
    cri,
    nodeName: o.nodeName,
    nodeIP: o.nodeIP,
    runtimeName,
    sandbox: { podLogsRoot: o.podLogsDir ?? '/var/log/pods', clusterDNS: o.clusterDNS, clusterDomain: o.clusterDomain, cgroupRoot: o.cgroupRoot },
    objects,
    volumes,
    allocatable,
    recorder,
    crashBackoff: new CrashBackoff({ initialMs: o.crashBackoffInitialMs }),
    readiness: (uid, name, id) => probes.result(uid, name, id),
    logger: log,
  });
  syncerRef = syncer;
  const lastPods = new Map<string, Pod>();
  const syncKey = async (uid: string): Promise<WorkerResult> => {
    const pod = podByUid(uid);
    if (!pod) {
      await syncer.cleanup(uid, lastPods.get(uid));
      probes.forget(uid);
      lastPods.delete(uid);
      return { done: true };
    }
    lastPods.set(uid, pod);
    if (!pod.metadata.deletionTimestamp) await volumes.refresh(pod).catch(() => undefined);
    const r = await syncer.sync(pod);
    if (r.deleted) {
      probes.forget(uid);
      return { requeueAfterMs: 2_000 };
    }
    probes.track(pod, await syncer.runtimeState(uid));
    return { requeueAfterMs: r.requeueAfterMs };
  };
  workers = new PodWorkers(syncKey, log);
  informer.addEventHandler({
    onAdd: (p) => {
      byUid.set(p.metadata.uid!, p);
      workers!.enqueue(p.metadata.uid!);
    },
    onUpdate: (_old, p) => {
      byUid.set(p.metadata.uid!, p);
      workers!.enqueue(p.metadata.uid!);
    },
    onDelete: (d) => {
      const p = deletedObject(d);
      byUid.delete(p.metadata.uid!);
      workers!.enqueue(p.metadata.uid!);
    },
  });

  const server = await startKubeletServer({
    port: o.port ?? 10250,
    address: o.address ?? '0.0.0.0',
    cri,
    pods: () => [...byUid.values()],
    findPod: (ns, name) => [...byUid.values()].find((p) => p.metadata.namespace === ns && p.metadata.name === name),
    runtimeState: (uid) => syncer.runtimeState(uid),
    logger: log,
    tls: o.serverTls && {
      certificate: o.serverTls.certificate,
      clientCA: o.serverTls.clientCA,
      nodeName: o.nodeName,
      authorize: o.serverTls.authorize ?? webhookAuthorizer(client, log),
    },
  });
  const agent = new NodeAgent({
    client,
    cri,
    identity: { nodeName: o.nodeName, labels: o.nodeLabels ?? {}, taints: o.taints ?? [], podCIDR: o.podCIDR },
    nodeIP: o.nodeIP,
    port: server.port,
    rootDir: o.rootDir,
    cniConfDir: o.cniConfDir,
    cniBridge: o.cniBridge ?? 'tkube0',
    statusIntervalMs: o.statusIntervalMs,
    logger: log,
  });
  await agent.start();
  informer.run();
  await informer.waitForSync();

  // PLEG: a cheap relist of CRI; any pod whose containers changed state gets a sync.
  let lastSig = new Map<string, string>();
  let plegBusy = false;
  const pleg = setInterval(() => {
    if (plegBusy) return;
    plegBusy = true;
    void (async () => {
      const [{ containers }, { items }] = await Promise.all([
        cri.runtime('ListContainers', { filter: null }),
        cri.runtime('ListPodSandbox', { filter: null }),
      ]);
      const sig = new Map<string, string>();
      const add = (uid: string | undefined, s: string) => {
        if (uid) sig.set(uid, `${sig.get(uid) ?? ''}${s};`);
      };
      for (const s of items) add(s.labels[POD_UID], `${s.id}=${s.state}`);
      for (const c of containers) add(c.labels[POD_UID], `${c.id}=${c.state}`);
      for (const [uid, s] of sig) if (lastSig.get(uid) !== s) workers!.enqueue(uid);
      for (const uid of lastSig.keys()) if (!sig.has(uid)) workers!.enqueue(uid);
      lastSig = sig;
    })()
      .catch((err: unknown) => log.debug({ err }, 'PLEG relist failed'))
      .finally(() => {
        plegBusy = false;
      });
  }, o.plegMs ?? 1000);
  const resync = setInterval(() => {
    for (const uid of byUid.keys()) workers!.enqueue(uid);
  }, o.resyncMs ?? 10_000);
  for (const uid of byUid.keys()) workers.enqueue(uid);
  log.info({ node: o.nodeName, port: server.port }, 'kubelet started');

  return {
    nodeName: o.nodeName,
    port: server.port,
    server,
    async stop() {
      clearInterval(pleg);
      clearInterval(resync);
      agent.stop();
      probes.stop();
      await informer.stop();
      await workers!.stop();
      await server.close();
      await recorder.close();
      cri.close();
    },
  };
}
