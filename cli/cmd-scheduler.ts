/** `tkube scheduler`: the scheduler process, until SIGINT/SIGTERM (or until it loses its leader lease). */
import { KubeClient } from '../api/client/kube-client.js';
import { runScheduler } from '../scheduler/run.js';
import { onShutdownSignal } from './cmd-apiserver.js';
import { componentLogger } from './logger.js';

export interface SchedulerFlags {
  kubeconfig: string;
  schedulerName: string;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  leaderElectResourceNamespace: string;
  leaderElectResourceName: string;
  percentageOfNodesToScore: number;
}

export async function runSchedulerCommand(flags: SchedulerFlags): Promise<void> {
  const log = componentLogger('scheduler');
  const client = KubeClient.fromKubeconfig(flags.kubeconfig, undefined, { userAgent: 'tkube-scheduler' });
  const abort = new AbortController();
  void onShutdownSignal().then((sig) => {
    log.info({ signal: sig }, 'shutting down');
    abort.abort();
  });
  const outcome = await runScheduler(
    {
      client,
      logger: log,
      schedulerName: flags.schedulerName,
      algorithm: { percentageOfNodesToScore: flags.percentageOfNodesToScore },
      leaderElection: {
        enabled: flags.leaderElect,
        namespace: flags.leaderElectResourceNamespace,
        name: flags.leaderElectResourceName,
        leaseDurationSeconds: flags.leaderElectLeaseDuration / 1000,
        renewDeadlineSeconds: flags.leaderElectRenewDeadline / 1000,
        retryPeriodSeconds: flags.leaderElectRetryPeriod / 1000,
      },
    },
    abort.signal,
  );
  client.close();
  if (outcome === 'lost-leadership') {
    log.error('leader election lost');
    process.exit(1);
  }
  process.exit(0);
}
