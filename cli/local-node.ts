/**
 * The node half of `tkube up`: tkube's own images imported into the runtime's image
 * store (offline: no registry needed), then the runtime and the kubelet as supervised
 * components. On the way down every pod sandbox is stopped and removed through the CRI,
 * so Ctrl-C leaves no container, netns or mount behind (cli/cleanup sweeps the rest).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { CriClient, isNotFound } from '../kubelet/cri-client.js';
import { ImageStore } from '../runtime/images/image-store.js';
import type { LocalNodeCredentials } from './local-node-credentials.js';
import type { Supervisor } from './supervisor.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TKUBE_JS = fileURLToPath(new URL('./tkube.js', import.meta.url));

export interface LocalNodePaths {
  home: string;
  socket: string;
  images: string;
  imageStore: string;
  cniConfDir: string;
}

export function localNodePaths(home: string): LocalNodePaths {
  return {
    home,
    socket: join(home, 'run', 'runtime.sock'),
    images: join(home, 'images'),
    imageStore: join(home, 'image-store'),
    cniConfDir: join(home, 'cni', 'net.d'),
  };
}

/** Builds the pause and busybox archives (idempotent) and imports them, busybox also as busybox:1.36 and busybox:latest. */
export async function prepareImages(paths: LocalNodePaths, log: Logger): Promise<void> {
  await run('bash', [join(REPO, 'deploy/images/build.sh'), paths.images], { env: { ...process.env, TKUBE_HOME: paths.home } });
  const store = new ImageStore({ root: paths.imageStore, logger: log });
  const wanted: [string, string][] = [
    ['pause.tar', 'tkube/pause:3.10'],
    ['busybox.tar', 'tkube/busybox:1.36'],
    ['busybox.tar', 'busybox:1.36'],
    ['busybox.tar', 'busybox:latest'],
  ];
  for (const [file, tag] of wanted) {
    if (!(await store.status(tag))) await store.importArchive(join(paths.images, file), tag);
  }
}

export function startRuntimeComponent(supervisor: Supervisor, paths: LocalNodePaths): void {
  mkdirSync(join(paths.home, 'run'), { recursive: true });
  rmSync(paths.socket, { force: true }); // a crashed run's socket would pass for the new runtime's
  mkdirSync(paths.cniConfDir, { recursive: true });
  supervisor.start({
    name: 'runtime',
    command: process.execPath,
    args: [
      TKUBE_JS, 'runtime',
      '--socket', paths.socket,
      '--state-dir', join(paths.home, 'runtime'),
      '--image-dir', paths.imageStore,
      '--cni-conf-dir', paths.cniConfDir,
      '--pause-image', 'tkube/pause:3.10',
      '--streaming-addr', '127.0.0.1:0',
    ],
  });
}

/** The local node's name: the host name, as the kubelet defaults it. */
export function localNodeName(): string {
  return hostname().toLowerCase();
}

/**
 * Starts the kubelet (once the runtime's socket is open) as the node `credentials`
 * name, its API on HTTPS for clients of the cluster CA; returns the node's name.
 */
export function startKubeletComponent(supervisor: Supervisor, paths: LocalNodePaths, credentials: LocalNodeCredentials, kubeletPort: number): string {
  const nodeName = localNodeName();
  supervisor.start({
    name: 'kubelet',
    command: process.execPath,
    args: [
      TKUBE_JS, 'kubelet',
      '--kubeconfig', credentials.kubeconfig,
      '--tls-cert-file', credentials.serving.cert,
      '--tls-private-key-file', credentials.serving.key,
      '--client-ca-file', credentials.clientCaFile,
      '--node-name', nodeName,
      '--container-runtime-endpoint', `unix://${paths.socket}`,
      '--root-dir', join(paths.home, 'kubelet'),
      '--pod-logs-dir', join(paths.home, 'pod-logs'),
      '--cni-conf-dir', paths.cniConfDir,
      '--node-ip', '127.0.0.1',
      '--address', '127.0.0.1',
      '--port', String(kubeletPort),
    ],
  });
  return nodeName;
}

export async function waitForSocket(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`the runtime did not open its socket ${path} within ${timeoutMs / 1000} s; see the runtime log`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops and removes every pod sandbox (and so every container) the runtime has. */
export async function removeAllPods(socket: string, log: Logger): Promise<number> {
  if (!existsSync(socket)) return 0;
  const cri = new CriClient({ endpoint: socket, timeoutMs: 30_000 });
  try {
    const { items } = (await cri.runtime('ListPodSandbox', {})) as { items?: { id: string }[] };
    await Promise.all(
      (items ?? []).map(async (sb) => {
        for (const method of ['StopPodSandbox', 'RemovePodSandbox'] as const) {
          try {
            await cri.runtime(method, { pod_sandbox_id: sb.id });
          } catch (err) {
            if (!isNotFound(err)) log.warn({ sandbox: sb.id, err: (err as Error).message }, `${method} failed`);
          }
        }
      }),
    );
    return items?.length ?? 0;
  } finally {
    cri.close();
  }
}
