/** `tkube`: the cluster's components and the commands that bring a cluster up and down. */
import { Command, InvalidArgumentError } from 'commander';
import { runApiserver } from './cmd-apiserver.js';
import { controllerManagerCommand } from './cmd-controller-manager.js';
import { runUp } from './cmd-up.js';
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

program
  .command('apiserver')
  .description('serve the Kubernetes API on etcd')
  .requiredOption('--etcd-servers <urls>', 'comma-separated etcd client URLs', 'http://127.0.0.1:2379')
  .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on', port, 6443)
  .option('--etcd-compaction-interval <duration>', 'how often etcd is compacted (0 disables)', duration, 5 * 60_000)
  .option('--event-ttl <duration>', 'how long events are kept', duration, 3_600_000)
  .action(async (o: { etcdServers: string; bindAddress: string; port: number; etcdCompactionInterval: number; eventTtl: number }) => {
    await runApiserver({
      etcdServers: o.etcdServers.split(',').map((s) => s.trim()).filter(Boolean),
      bindAddress: o.bindAddress,
      port: o.port,
      compactionIntervalMs: o.etcdCompactionInterval,
      eventTtlSeconds: Math.round(o.eventTtl / 1000),
    });
  });

program.addCommand(controllerManagerCommand());

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
  .option('--reset', 'start from an empty cluster (deletes the stored objects)', false)
  .action(async (o: { home?: string; port: number; reset: boolean }) => {
    await runUp(o);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`tkube: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
