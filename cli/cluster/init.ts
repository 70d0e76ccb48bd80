/**
 * `tkube init`: the control plane of a cluster on this machine — etcd, apiserver,
 * controller-manager and scheduler, as systemd units or (--foreground) supervised here —
 * then a bootstrap token and the signed cluster-info that `tkube join` checks it against.
 * Prints the join command.
 *
 * Secured as kubeadm does (security.ts): a cluster CA and certificates under <home>/pki,
 * the API over HTTPS with x509, bootstrap-token and service-account authentication and
 * Node,RBAC authorization; the controller-manager and the scheduler with their own client
 * certificates; the admin kubeconfig (O=system:masters) at <home>/kubeconfig; and
 * cluster-info, readable by anonymous joiners, carrying the CA.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeClient } from '../../api/client/kube-client.js';
import { onShutdownSignal } from '../cmd-apiserver.js';
import { defaultNodeIP } from '../cmd-kubelet.js';
import { tkubeHome } from '../cmd-up.js';
import { componentLogger } from '../logger.js';
import { Supervisor } from '../supervisor.js';
import { formatToken, generateToken, parseToken } from './bootstrap-token.js';
import { controlPlanePlan } from './component-plan.js';
import { thisTkube } from './tkube-executable.js';
import { step, waitForHealthy } from './progress.js';
import { publishBootstrap } from './publish-bootstrap.js';
import { componentKubeconfigPaths, ensureClusterInfoReadable, ensureClusterPki, ensureNodeCertificateRotationApproved, pkiPaths, writeComponentKubeconfigs } from './security.js';
import { SYSTEMD_UNIT_DIR, installUnits, noSystemdMessage, renderUnit, systemdIsRunning, unitName } from './systemd-units.js';

const run = promisify(execFile);

export interface InitFlags {
  advertiseAddress?: string;
  port: number;
  home?: string;
  foreground: boolean;
  podNetworkCidr: string;
  /** Use this bootstrap token instead of a new one (kubeadm's --token). */
  token?: string;
  /** Also serve the API on this unix socket. */
  unixSocket?: string;
  etcdPort: number;
  /** Go duration for the controller-manager's --node-monitor-grace-period. */
  nodeMonitorGracePeriod?: string;
  /** Print the systemd units init would install, and change nothing. */
  dryRun?: boolean;
}

async function which(binary: string): Promise<string> {
  try {
    return (await run('sh', ['-c', `command -v ${binary}`])).stdout.trim();
  } catch {
    throw new Error(`${binary} is not installed: run \`npm run setup\` (Debian package etcd-server)`);
  }
}

export async function runInit(flags: InitFlags): Promise<void> {
  const token = flags.token ? parseToken(flags.token) : generateToken();
  const home = tkubeHome(flags.home);
  const logs = join(home, 'logs');
  const advertise = flags.advertiseAddress ?? defaultNodeIP();
  const server = `https://${advertise}:${flags.port}`;
  const pkiDir = join(home, 'pki');
  const kubeconfigs = componentKubeconfigPaths(home);
  const plan = controlPlanePlan({
    ...thisTkube(),
    home,
    etcdBinary: await which('etcd'),
    etcdClientPort: flags.etcdPort,
    etcdPeerPort: flags.etcdPort + 1,
    bindAddress: '0.0.0.0',
    port: flags.port,
    unixSocket: flags.unixSocket,
    pkiDir,
    controllerManagerKubeconfig: kubeconfigs.controllerManager,
    schedulerKubeconfig: kubeconfigs.scheduler,
    podNetworkCidr: flags.podNetworkCidr,
    nodeMonitorGracePeriod: flags.nodeMonitorGracePeriod,
  });
  if (flags.dryRun) {
    for (const c of plan) console.log(`# ${SYSTEMD_UNIT_DIR}/${unitName(c.name)}\n${renderUnit(c)}`);
    return;
  }
  if (!flags.foreground && !systemdIsRunning()) throw new Error(noSystemdMessage('init'));
  mkdirSync(logs, { recursive: true });
  await step('creating the cluster certificates and kubeconfigs', async () => {
    await ensureClusterPki(home, { ipAddresses: [advertise] });
    writeComponentKubeconfigs(home, server, pkiDir);
  });
  const caCert = readFileSync(pkiPaths(pkiDir).ca.cert, 'utf8');
  const byName = (name: string) => plan.find((c) => c.name === name)!;
  console.log(`tkube init: control plane at ${server}, state in ${home}`);

  let supervisor: Supervisor | undefined;
  try {
    if (flags.foreground) {
      supervisor = new Supervisor(logs, componentLogger('init'));
      const sv = supervisor;
      await step('starting etcd', async () => {
        sv.start(byName('etcd'));
        await waitForHealthy(`http://127.0.0.1:${flags.etcdPort}/health`, 20_000, `etcd did not become healthy; see ${logs}/etcd.log (port ${flags.etcdPort} in use?)`);
      });
      await step('starting apiserver', async () => {
        sv.start(byName('apiserver'));
        await waitForHealthy(`${server}/readyz`, 30_000, `the apiserver did not become ready at ${server}; see ${logs}/apiserver.log (is ${advertise} an address of this machine? port in use?)`, caCert);
      });
      await step('starting controller-manager and scheduler', async () => {
        sv.start(byName('controller-manager'));
        sv.start(byName('scheduler'));
      });
    } else {
      await step('installing and starting systemd units', async () => {
        const units = await installUnits(plan);
        console.log(`\n    ${units.join(' ')}`);
      });
      await step('waiting for the apiserver', () => waitForHealthy(`${server}/readyz`, 60_000, `the apiserver did not become ready at ${server}; see journalctl -u tkube-apiserver`, caCert));
    }
    await step('publishing the bootstrap token and cluster-info', async () => {
      const client = KubeClient.fromKubeconfig(kubeconfigs.admin);
      try {
        await ensureClusterInfoReadable(client);
        await ensureNodeCertificateRotationApproved(client);
        await publishBootstrap(client, { server, caData: Buffer.from(caCert).toString('base64') }, token);
      } finally {
        client.close();
      }
    });
  } catch (err) {
    await supervisor?.stopAll();
    throw err;
  }

  console.log(`
The control plane is up. As an admin on this machine:
  export KUBECONFIG=${kubeconfigs.admin}
  kubectl get nodes
On each worker, as root:
  tkube join ${server} --token ${formatToken(token)}
(the token expires in 24 h)`);
  if (!supervisor) return;
  console.log('Press Ctrl-C to stop the control plane.');
  await onShutdownSignal();
  console.log('\ntkube init: stopping the control plane');
  await supervisor.stopAll();
  console.log('tkube init: stopped');
  process.exit(0);
}
