/** The `tkube join` command: flags (kubeadm's names where they exist) → cli/cluster/join.ts. */
import { Command, Option } from 'commander';
import { runJoin, type JoinFlags } from './cluster/join.js';
import { portArg } from './cmd-init.js';

export function joinCommand(action: (flags: JoinFlags) => Promise<void> = runJoin): Command {
  return new Command('join')
    .description('make this machine a node of the cluster whose apiserver is <server> (runtime, kubelet, network agent)')
    .argument('<server>', 'the apiserver URL printed by `tkube init`, e.g. https://192.168.56.10:6443')
    .requiredOption('--token <token>', 'the bootstrap token printed by `tkube init`')
    .option('--node-name <name>', 'name of the Node (default: the hostname)')
    .option('--node-ip <ip>', "this node's address (default: the source address of the route to the server)")
    .option('--home <dir>', 'state directory (default $TKUBE_HOME or ~/.tkube)')
    .option('--foreground', 'run the components here under a supervisor instead of as systemd units', false)
    .addOption(new Option('--network-mode <mode>', 'how pods reach pods on other nodes').choices(['host-gw', 'vxlan']).default('vxlan'))
    .option('--network-interface <dev>', "the network agent's underlay device (default: the one holding the node IP)")
    .option('--kubelet-port <port>', "the kubelet API's port", portArg, 10250)
    .option('--name-prefix <prefix>', "prefix of the runtime's pod netns and cgroup root", 'tkube-')
    .option('--dry-run', 'print the systemd units that would be installed, and change nothing')
    .action(async (server: string, o: Omit<JoinFlags, 'server'>) => {
      await action({ ...o, server });
    });
}
