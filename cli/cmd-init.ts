/** The `tkube init` command: flags (kubeadm's names where they exist) → cli/cluster/init.ts. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runInit, type InitFlags } from './cluster/init.js';
import { parseDuration } from './durations.js';

export function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (1-65535)`);
  return n;
}

/** Checked here, passed on as written (the controller-manager parses it again). */
export function goDurationArg(value: string): string {
  try {
    parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

export function initCommand(action: (flags: InitFlags) => Promise<void> = runInit): Command {
  return new Command('init')
    .description('set up the control plane on this machine (etcd, apiserver, controller-manager, scheduler) and print the join command')
    .option('--advertise-address <ip>', 'address the nodes reach the apiserver at (default: the first non-loopback IPv4 address)')
    .option('--port <port>', 'apiserver port', portArg, 6443)
    .option('--home <dir>', 'state directory (default $TKUBE_HOME or ~/.tkube)')
    .option('--foreground', 'run the components here under a supervisor instead of as systemd units', false)
    .option('--pod-network-cidr <cidr>', 'pod network; each node gets a /24 of it', '10.244.0.0/16')
    .option('--token <token>', 'the bootstrap token to create ([a-z0-9]{6}.[a-z0-9]{16}; default: a new random one)')
    .addOption(new Option('--unix-socket <path>', 'also serve the API on this unix socket').hideHelp())
    .option('--etcd-port <port>', "etcd's client port on 127.0.0.1 (the peer port is the next one)", portArg, 2379)
    .option('--node-monitor-grace-period <duration>', 'how long a silent node stays Ready (controller-manager; default 40s)', goDurationArg)
    .option('--dry-run', 'print the systemd units that would be installed, and change nothing')
    .action(async (o: InitFlags) => {
      await action(o);
    });
}
