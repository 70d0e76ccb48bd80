/** `tkube`: the cluster's components and the commands that bring a cluster up and down. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { apiserverCommand } from './cmd-apiserver.js';
import { controllerManagerCommand } from './cmd-controller-manager.js';
import { networkAgentCommand } from './cmd-network-agent.js';
import { runSchedulerCommand, type SchedulerFlags } from './cmd-scheduler.js';
import { runHollowNodesCommand, type HollowNodesFlags } from './cmd-hollow-nodes.js';
import { runKubeletCommand, type KubeletFlags } from './cmd-kubelet.js';
import { booleanFlag } from './flag-values.js';
import { runUp } from './cmd-up.js';
import { initCommand, goDurationArg } from './cmd-init.js';
import { joinCommand } from './cmd-join.js';
import { runMultiNodeUp } from './cluster/multi-node-up.js';
import { runDown } from './cmd-down.js';
import { parseDuration } from './durations.js';

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  return n;
}

const program = new Command('tkube').description('tkube: a Kubernetes-style control plane').showHelpAfterError().enablePositionalOptions();

program.addCommand(apiserverCommand());
program.addCommand(controllerManagerCommand());
program.addCommand(networkAgentCommand());

program
  .command('scheduler')
  .description('bind pending pods to nodes (filters, scores, assume-then-bind), under leader election')
  .requiredOption('--kubeconfig <path>', 'kubeconfig of the cluster')
  .option('--scheduler-name <name>', 'pods with this spec.schedulerName are scheduled', 'default-scheduler')
  .option('--leader-elect', 'elect a leader among schedulers before scheduling', true)
  .option('--no-leader-elect', 'schedule without leader election')
  .option('--leader-elect-lease-duration <duration>', 'how long a standby waits before taking over an unrenewed lease', duration, 15_000)
  .option('--leader-elect-renew-deadline <duration>', 'how long the leader retries renewing before giving up', duration, 10_000)
  .option('--leader-elect-retry-period <duration>', 'time between attempts to acquire or renew the lease', duration, 2_000)
  .option('--leader-elect-resource-namespace <ns>', 'namespace of the leader Lease', 'kube-system')
  .option('--leader-elect-resource-name <name>', 'name of the leader Lease', 'kube-scheduler')
  .option('--percentage-of-nodes-to-score <n>', 'share of feasible nodes to score (0 = adaptive, as kube-scheduler)', Number, 0)
  .action(async (o: SchedulerFlags) => {
    await runSchedulerCommand(o);
  });

program
  .command('kubelet')
  .description('the node agent: registers the node, runs its pods through the CRI runtime, serves logs and exec')
  .requiredOption('--kubeconfig <path>', 'kubeconfig of the cluster')
  .option('--node-name <name>', 'name of the Node (default: the hostname)')
  .option('--container-runtime-endpoint <endpoint>', 'CRI socket of the runtime', 'unix:///run/tkube/runtime.sock')
  .option('--root-dir <dir>', 'kubelet state (volumes, checkpoints)', '/var/lib/tkube/kubelet')
  .option('--pod-logs-dir <dir>', 'where container logs are written', '/var/log/pods')
  .option('--port <port>', 'port of the kubelet API (logs, exec)', port, 10250)
  .option('--address <ip>', 'address of the kubelet API', '0.0.0.0')
  .option('--node-ip <ip>', "the node's InternalIP (default: the first non-loopback IPv4 address)")
  .option('--pod-cidr <cidr>', "pod CIDR when the controller-manager does not assign one")
  .option('--cni-conf-dir <dir>', "the runtime's CNI configuration directory (the kubelet writes the conflist there)")
  .option('--cni-bridge <name>', 'name of the CNI bridge', 'tkube0')
  .option('--node-labels <k=v,...>', 'labels to add to the Node')
  .option('--register-with-taints <k=v:Effect,...>', 'taints to register the Node with')
  .option('--cluster-dns <ip,...>', 'DNS servers for pods')
  .option('--cluster-domain <domain>', 'DNS domain of the cluster', 'cluster.local')
  .option('--cgroup-root <path>', 'cgroup parent of pod cgroups')
  .option('--bootstrap-kubeconfig <path>', 'kubeconfig (a bootstrap token) to request the client certificate with when --kubeconfig has none')
  .option('--cert-dir <dir>', 'where bootstrapped certificates and keys are kept (default <root-dir>/pki)')
  .option('--tls-cert-file <path>', 'serving certificate of the kubelet API (default: requested with a kubelet-serving CSR)')
  .option('--tls-private-key-file <path>', 'private key of --tls-cert-file')
  .option('--client-ca-file <path>', 'CA bundle of accepted client certificates; serves the API over HTTPS with authentication')
  .option('--rotate-certificates [bool]', 'renew the client certificate through CSRs before it expires', booleanFlag, true)
  .option('--rotate-server-certificates [bool]', 'renew the serving certificate (when obtained by CSR) before it expires', booleanFlag, true)
  .action(async (o: KubeletFlags) => {
    await runKubeletCommand(o);
  });

program
  .command('hollow-nodes')
  .description('simulated nodes for scale tests: the kubelet code on an in-memory fake CRI, many nodes in one process')
  .requiredOption('--kubeconfig <path>', 'kubeconfig of the cluster')
  .requiredOption('--count <n>', 'how many nodes', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" is not a positive whole number`);
    return n;
  })
  .option('--name-prefix <prefix>', 'node names are <prefix><index>', 'hollow-')
  .option('--pod-start-delay <duration>', 'simulated time to start a pod', '100ms')
  .option('--pod-stop-delay <duration>', 'simulated time to stop a pod', '100ms')
  .action(async (o: HollowNodesFlags) => {
    await runHollowNodesCommand(o);
  });

program
  .command('runtime')
  .description('the CRI runtime (a CRI-O-like gRPC server on a unix socket); `tkube runtime --help` lists its flags')
  .helpOption(false)
  .allowUnknownOption()
  .passThroughOptions()
  .argument('[flags...]')
  .action(async (flags: string[]) => {
    const { runRuntimeCommand } = await import('../runtime/cli.js');
    await runRuntimeCommand(flags);
  });

program
  .command('up')
  .description('bring up a local cluster (etcd and every component) in the foreground; Ctrl-C stops it')
  .option('--home <dir>', 'state directory (default $TKUBE_HOME or ~/.tkube)')
  .option('--port <port>', 'apiserver port', port, 6443)
  .option('--kubelet-port <port>', "the kubelet API's port", port, 10250)
  .option('--reset', 'start from an empty cluster (deletes the stored objects)', false)
  .option('--nodes <n>', 'how many nodes; more than 1: each in its own network namespace, joined with `tkube join`', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError(`"${v}" is not a node count (1-50)`);
    return n;
  }, 1)
  .addOption(new Option('--network-mode <mode>', 'with --nodes: how pods reach other nodes').choices(['host-gw', 'vxlan']).default('host-gw'))
  .option('--node-monitor-grace-period <duration>', 'with --nodes: how long a silent node stays Ready (default 40s)', goDurationArg)
  .action(async (o: { home?: string; port: number; kubeletPort: number; reset: boolean; nodes: number; networkMode: 'host-gw' | 'vxlan'; nodeMonitorGracePeriod?: string }) => {
    if (o.nodes > 1) await runMultiNodeUp(o);
    else await runUp(o);
  });

program.addCommand(initCommand());
program.addCommand(joinCommand());

program
  .command('down')
  .description("remove everything a local cluster left on the host (processes, containers, netns, links, iptables rules, mounts, cgroups), e.g. after a crash; the cluster's objects are kept")
  .option('--home <dir>', 'state directory (default $TKUBE_HOME or ~/.tkube)')
  .action(async (o: { home?: string }) => {
    await runDown(o);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`tkube: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
