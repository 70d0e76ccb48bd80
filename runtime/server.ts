// startRuntime: the CRI server process (what `bin/tkube runtime` runs).
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { detectCgroupVersion } from './cgroups/cgroups.js';
import { RuntimePaths, type RuntimeContext, type RuntimeOptions } from './context.js';
import { ContainerService } from './container/container-service.js';
import { imageHandlers } from './cri/image-handlers.js';
import { loadCriServices } from './cri/proto.js';
import { toGrpcImplementation } from './cri/register.js';
import { runtimeHandlers } from './cri/runtime-handlers.js';
import { CniInvoker } from './network/cni.js';
import { OciRuntime } from './oci/oci-runtime.js';
import { SandboxService } from './sandbox/sandbox-service.js';
import { RecordStore } from './state/record-store.js';
import { ContainerRecordSchema, SandboxRecordSchema } from './state/records.js';
import { StreamingServer } from './streaming/server.js';
import { KeyedMutex } from './util/keyed-mutex.js';

export type { RuntimeOptions } from './context.js';

export interface RunningRuntime {
  /** Stops serving. Containers keep running (they belong to conmon, not to us). */
  stop(): Promise<void>;
  streamingUrl: string;
}

/** Resolves 'runc', 'crun' or a path to an executable path. */
export function resolveBinary(name: string): string {
  if (name.includes('/')) return name;
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} not found in PATH`);
}

export async function startRuntime(opts: RuntimeOptions): Promise<RunningRuntime> {
  const log = opts.logger;
  const paths = new RuntimePaths(path.resolve(opts.stateDir));
  for (const d of [paths.stateDir, paths.ociRoot, paths.exitDir, paths.socketDir, paths.execDir, paths.cniCache]) {
    await fs.mkdir(d, { recursive: true, mode: 0o700 });
  }
  const prefix = opts.namePrefix ?? 'tkube-';
  const ctx: RuntimeContext = {
    opts,
    log,
    paths,
    oci: new OciRuntime(resolveBinary(opts.ociRuntime), paths.ociRoot, opts.ociRuntimeArgs ?? []),
    conmon: resolveBinary(opts.conmonPath ?? 'conmon'),
    cni: new CniInvoker(opts.cniBinDirs),
    images: opts.imageStore,
    sandboxes: new RecordStore(paths.sandboxRecords, SandboxRecordSchema),
    containers: new RecordStore(paths.containerRecords, ContainerRecordSchema),
    cgroupVersion: detectCgroupVersion(),
    cgroupRoot: prefix.replace(/-+$/, ''),
    netnsPrefix: prefix,
    locks: new KeyedMutex(),
  };
  const onBad = (file: string, err: unknown): void => log.error({ file, err: String(err) }, 'unreadable state record skipped');
  await ctx.sandboxes.load(onBad);
  await ctx.containers.load(onBad);

  const sandboxes = new SandboxService(ctx);
  const containers = new ContainerService(ctx, sandboxes);
  sandboxes.containerOps = containers;
  await containers.recover();
  await sandboxes.recover();
  log.info(
    { sandboxes: ctx.sandboxes.list().length, containers: ctx.containers.list().length, cgroups: `v${ctx.cgroupVersion}`, oci: ctx.oci.binary },
    'runtime state recovered',
  );

  const streaming = new StreamingServer(log);
  await streaming.listen(opts.streamingAddr);

  const services = loadCriServices();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024, 'grpc.max_send_message_length': 16 * 1024 * 1024 });
  server.addService(services.RuntimeService.service, toGrpcImplementation(runtimeHandlers(ctx, sandboxes, containers, streaming), log));
  server.addService(services.ImageService.service, toGrpcImplementation(imageHandlers(opts.imageStore), log));
  await fs.mkdir(path.dirname(opts.socket), { recursive: true });
  await fs.rm(opts.socket, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${opts.socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  log.info({ socket: opts.socket }, 'CRI runtime serving');

  const streamingUrl = streaming.register('exec', () => undefined).replace(/\/exec\/.*$/, '');
  return {
    streamingUrl,
    async stop() {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await streaming.close();
      await fs.rm(opts.socket, { force: true });
    },
  };
}
