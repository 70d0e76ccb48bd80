// Entry point of the runtime process the integration tests start (and kill -9):
// the real startRuntime with the local busybox image store.
import pino from 'pino';
import { startRuntime } from '../../runtime/server.js';
import { ImageStore } from '../../runtime/images/image-store.js';
import type { RuntimeImageStore } from '../../runtime/image-source.js';
import { LocalImageStore } from './local-image-store.js';

interface ChildConfig {
  socket: string;
  stateDir: string;
  cniConfDir: string;
  cniBinDirs: string[];
  ociRuntime: string;
  ociRuntimeArgs: string[];
  streamingAddr: string;
  namePrefix: string;
  layerDir: string;
  /** When set: the real image store in this dir, with these OCI archives imported. */
  imageDir?: string;
  archives?: string[];
  pauseImage?: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const logger = pino({ level: 'info' }, pino.destination(2));

async function imageStore(): Promise<RuntimeImageStore> {
  if (cfg.imageDir) {
    const real = new ImageStore({ root: cfg.imageDir, logger });
    for (const a of cfg.archives ?? []) await real.importArchive(a);
    return real;
  }
  const store = new LocalImageStore();
  store.add('tkube-test/busybox:latest', cfg.layerDir, { cmd: ['sh'], env: ['IMAGE_ENV=from-image'], workingDir: '/' });
  store.add('tkube-test/pause:latest', cfg.layerDir, { entrypoint: ['/catatonit', '-P'] });
  return store;
}

imageStore().then((store) => startRuntime({
  socket: cfg.socket,
  stateDir: cfg.stateDir,
  cniConfDir: cfg.cniConfDir,
  cniBinDirs: cfg.cniBinDirs,
  ociRuntime: cfg.ociRuntime,
  ociRuntimeArgs: cfg.ociRuntimeArgs,
  pauseImage: cfg.pauseImage ?? 'tkube-test/pause:latest',
  streamingAddr: cfg.streamingAddr,
  imageStore: store,
  logger,
  namePrefix: cfg.namePrefix,
})).then(
  (rt) => {
    process.stdout.write(`READY ${rt.streamingUrl}\n`);
    process.once('SIGTERM', () => void rt.stop().then(() => process.exit(0)));
  },
  (err: unknown) => {
    process.stderr.write(`runtime failed: ${String(err)}\n`);
    process.exit(1);
  },
);
