/**
 * `tkube controller-manager`: runs the controllers (under leader election by default)
 * until SIGINT/SIGTERM, or until it loses the leader lease — then it exits with status 1,
 * as kube-controller-manager does, to be restarted by its supervisor.
 */
import { KubeClient } from '../api/client/kube-client.js';
import { loadKubeconfig } from '../api/client/kubeconfig.js';
import { startControllerManager } from '../controllers/manager.js';
import { onShutdownSignal } from './cmd-apiserver.js';
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
