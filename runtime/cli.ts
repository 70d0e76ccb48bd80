// `tkube runtime`: parses flags and runs the CRI server until SIGINT/SIGTERM.
// Kept free of commander so the lead can wire it into any CLI framework:
// runRuntimeCommand(process.argv.slice(3)).
import { parseArgs } from 'node:util';
import path from 'node:path';
import pino from 'pino';
import { ImageStore } from './images/image-store.js';
import { defaultCniBinDirs, ensureDefaultConflist } from './network/default-conflist.js';
import { startRuntime } from './server.js';

export const RUNTIME_USAGE = `Usage: tkube runtime [flags]
  --socket PATH            CRI socket (default /run/tkube/runtime.sock)
  --state-dir DIR          runtime state (default /var/lib/tkube/runtime)
  --image-dir DIR          image store root (default /var/lib/tkube/images)
  --cni-conf-dir DIR       CNI network configs (default /etc/cni/net.d)
  --cni-bin-dir DIR        CNI plugin dir, repeatable (default <repo>/cni-plugins/bin,
                           /usr/lib/cni, /opt/cni/bin)
  --pod-cidr CIDR          node's pod CIDR: when the CNI conf dir has no network config,
                           write the default one (tkube-bridge + portmap + loopback)
  --oci-runtime NAME|PATH  runc, crun or a path (default runc)
  --oci-runtime-arg ARG    global flag for the OCI runtime, repeatable
  --conmon PATH            conmon binary (default conmon from PATH)
  --pause-image REF        pause image (default tkube/pause:3.10)
  --streaming-addr H:P     exec/attach streaming server (default 127.0.0.1:10010)
  --insecure-registry H    allow http for this registry, repeatable
  --name-prefix P          prefix for netns and cgroup names (default tkube-)
  --log-level LEVEL        pino level (default info)`;

export async function runRuntimeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      socket: { type: 'string', default: '/run/tkube/runtime.sock' },
      'state-dir': { type: 'string', default: '/var/lib/tkube/runtime' },
      'image-dir': { type: 'string', default: '/var/lib/tkube/images' },
      'cni-conf-dir': { type: 'string', default: '/etc/cni/net.d' },
      'cni-bin-dir': { type: 'string', multiple: true },
      'pod-cidr': { type: 'string' },
      'oci-runtime': { type: 'string', default: 'runc' },
      'oci-runtime-arg': { type: 'string', multiple: true },
      conmon: { type: 'string' },
      'pause-image': { type: 'string', default: 'tkube/pause:3.10' },
      'streaming-addr': { type: 'string', default: '127.0.0.1:10010' },
      'insecure-registry': { type: 'string', multiple: true },
      'name-prefix': { type: 'string', default: 'tkube-' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${RUNTIME_USAGE}\n`);
    return;
  }
  const logger = pino({ level: values['log-level'] }).child({ component: 'runtime' });
  const imageStore = new ImageStore({
    root: path.resolve(values['image-dir']),
    ...(values['insecure-registry'] ? { insecureRegistries: values['insecure-registry'] } : {}),
    logger,
  });
  if (values['pod-cidr']) {
    const written = await ensureDefaultConflist(values['cni-conf-dir'], { podCidr: values['pod-cidr'] });
    if (written) logger.info({ file: written, podCidr: values['pod-cidr'] }, 'wrote the default CNI network config');
  }
  const rt = await startRuntime({
    socket: path.resolve(values.socket),
    stateDir: values['state-dir'],
    cniConfDir: values['cni-conf-dir'],
    cniBinDirs: values['cni-bin-dir'] ?? defaultCniBinDirs(),
    ociRuntime: values['oci-runtime'],
    ...(values['oci-runtime-arg'] ? { ociRuntimeArgs: values['oci-runtime-arg'] } : {}),
    ...(values.conmon ? { conmonPath: values.conmon } : {}),
    pauseImage: values['pause-image'],
    streamingAddr: values['streaming-addr'],
    imageStore,
    logger,
    namePrefix: values['name-prefix'],
  });
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  logger.info('shutting down (containers keep running)');
  await rt.stop();
}

// Allow `node dist/runtime/cli.js ...` directly (tests start it this way too).
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  runRuntimeCommand(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`tkube runtime: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
