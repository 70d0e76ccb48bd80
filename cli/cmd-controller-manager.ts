/**
 * `tkube controller-manager`: runs the controllers (under leader election by default)
 * until SIGINT/SIGTERM, or until it loses the leader lease — then it exits with status 1,
 * as kube-controller-manager does, to be restarted by its supervisor.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { KubeClient } from '../api/client/kube-client.js';
import { loadKubeconfig } from '../api/client/kubeconfig.js';
import { csrSigningControllerFactory } from '../controllers/certificates/signer.js';
import { startControllerManager } from '../controllers/manager.js';
import { nodeIpamControllerFactory } from '../controllers/nodeipam/node-ipam-controller.js';
import { nodeLifecycleControllerFactory } from '../controllers/nodelifecycle/node-lifecycle-controller.js';
import { CONTROLLERS } from '../controllers/registry.js';
import { rootCaCertPublisherFactory, NAME as ROOT_CA_PUBLISHER } from '../controllers/rootcacertpublisher/root-ca-cert-publisher.js';
import { onShutdownSignal } from './cmd-apiserver.js';
import { parseDuration } from './durations.js';
import { booleanFlag } from './flag-values.js';
import { componentLogger } from './logger.js';

export interface ControllerManagerFlags {
  kubeconfig?: string;
  /** Overrides the kubeconfig's server URL. */
  master?: string;
  /** Comma-separated, as --controllers: '*', 'name', '-name'. */
  controllers: string;
  leaderElect: boolean;
  /** Milliseconds (the CLI parses durations such as 15s). */
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  concurrentReplicasetSyncs: number;
  concurrentDeploymentSyncs: number;
  concurrentGcSyncs: number;
  concurrentNamespaceSyncs: number;
  metricsPort: number;
  bindAddress: string;
  /** --cluster-cidr: the pod network node IPAM hands node subnets out of. */
  clusterCidr?: string;
  /** --node-monitor-grace-period in milliseconds: a node silent this long becomes NotReady. */
  nodeMonitorGracePeriod?: number;
  /** --cluster-signing-cert-file / --cluster-signing-key-file: the CA the csrsigning controller signs with. */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** --cluster-signing-duration in milliseconds: the longest certificate csrsigning issues. */
  clusterSigningDuration?: number;
  /** --root-ca-file: the CA bundle published to every namespace as ConfigMap kube-root-ca.crt. */
  rootCaFile?: string;
}

export function clientFor(flags: Pick<ControllerManagerFlags, 'kubeconfig' | 'master'>): KubeClient {
  if (flags.kubeconfig) {
    const conn = loadKubeconfig(flags.kubeconfig);
    return new KubeClient(flags.master ? { ...conn, server: flags.master } : conn);
  }
  if (flags.master) return new KubeClient({ server: flags.master });
  throw new Error('either --kubeconfig or --master is required');
}

export async function runControllerManager(flags: ControllerManagerFlags): Promise<void> {
  const log = componentLogger('controller-manager');
  const client = clientFor(flags);
  const manager = await startControllerManager({
    client,
    logger: log,
    controllers: flags.controllers.split(','),
    available: {
      ...CONTROLLERS,
      ...(flags.clusterCidr ? { nodeipam: nodeIpamControllerFactory({ clusterCidr: flags.clusterCidr }) } : {}),
      ...(flags.nodeMonitorGracePeriod ? { nodelifecycle: nodeLifecycleControllerFactory({ gracePeriodMs: flags.nodeMonitorGracePeriod }) } : {}),
      ...(flags.rootCaFile ? { [ROOT_CA_PUBLISHER]: rootCaCertPublisherFactory(readRootCa(flags.rootCaFile)) } : {}),
      csrsigning: csrSigningControllerFactory({
        certFile: flags.clusterSigningCertFile,
        keyFile: flags.clusterSigningKeyFile,
        durationMs: flags.clusterSigningDuration,
      }),
    },
    workers: {
      replicaset: flags.concurrentReplicasetSyncs,
      deployment: flags.concurrentDeploymentSyncs,
      garbagecollector: flags.concurrentGcSyncs,
      namespace: flags.concurrentNamespaceSyncs,
    },
    leaderElect: flags.leaderElect,
    leaderElection: {
      leaseDurationSeconds: flags.leaderElectLeaseDuration / 1000,
      renewDeadlineSeconds: flags.leaderElectRenewDeadline / 1000,
      retryPeriodSeconds: flags.leaderElectRetryPeriod / 1000,
    },
    metricsPort: flags.metricsPort,
    metricsHost: flags.bindAddress,
  }).catch((err: Error & { code?: string }) => {
    if (err.code === 'EADDRINUSE') throw new Error(`port ${flags.metricsPort} on ${flags.bindAddress} is in use: stop what listens there or pass --metrics-port`);
    throw err;
  });
  log.info({ controllers: manager.controllers, metrics: manager.metricsUrl, leaderElect: flags.leaderElect }, 'controller-manager started');
  const reason = await Promise.race([manager.done, onShutdownSignal().then(() => 'signal' as const)]);
  if (reason === 'signal') {
    log.info('shutting down');
    await manager.stop();
    client.close();
    process.exit(0);
  }
  client.close();
  process.exit(reason === 'lost-leadership' ? 1 : 0);
}

function readRootCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--root-ca-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function countArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  return n;
}

/** Go-style booleans, so that `--leader-elect=false` works as with kube-controller-manager. */
/**
 * The `controller-manager` subcommand with kube-controller-manager's flag names. Parses
 * into ControllerManagerFlags and calls `action` (runControllerManager by default).
 */
export function controllerManagerCommand(action: (flags: ControllerManagerFlags) => Promise<void> = runControllerManager): Command {
  return new Command('controller-manager')
    .description('run the controllers (replicaset, deployment, garbage collector, namespace, node lifecycle, node IPAM, service accounts, root CA publisher, CSR approving and signing, ClusterRole aggregation, bootstrap-token cleaner, bootstrap signer)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster to manage')
    .option('--master <url>', 'apiserver URL (overrides the kubeconfig server)')
    .option('--controllers <list>', "controllers to run: '*' for all, 'foo' to enable, '-foo' to disable", '*')
    .option('--leader-elect [bool]', 'elect a leader among controller-managers before running controllers', booleanFlag, true)
    .option('--leader-elect-lease-duration <duration>', 'how long a standby waits before taking over an unrenewed lease', durationArg, 15_000)
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader retries renewing before giving up', durationArg, 10_000)
    .option('--leader-elect-retry-period <duration>', 'time between attempts to acquire or renew the lease', durationArg, 2_000)
    .option('--concurrent-replicaset-syncs <n>', 'ReplicaSets synced at once', countArg, 5)
    .option('--concurrent-deployment-syncs <n>', 'Deployments synced at once', countArg, 5)
    .option('--concurrent-gc-syncs <n>', 'garbage collector workers', countArg, 20)
    .option('--concurrent-namespace-syncs <n>', 'namespaces synced at once', countArg, 10)
    .option('--metrics-port <port>', 'port of /metrics and /healthz', portArg, 10257)
    .option('--bind-address <ip>', 'address of /metrics and /healthz', '127.0.0.1')
    .option('--cluster-cidr <cidr>', 'pod network of the cluster, split into node pod CIDRs (default 10.244.0.0/16)')
    .option('--node-monitor-grace-period <duration>', 'how long a node may stay silent before it is marked NotReady (default 40s)', durationArg)
    .option('--cluster-signing-cert-file <path>', 'PEM CA certificate the csrsigning controller signs kubelet and client certificates with')
    .option('--cluster-signing-key-file <path>', 'PEM private key of --cluster-signing-cert-file')
    .option('--root-ca-file <path>', 'PEM CA bundle published to every namespace as ConfigMap kube-root-ca.crt (root-ca-cert-publisher)')
    .option('--cluster-signing-duration <duration>', 'the longest validity of a signed certificate (default 8760h)', durationArg)
    .action(async (o: ControllerManagerFlags) => {
      await action(o);
    });
}
