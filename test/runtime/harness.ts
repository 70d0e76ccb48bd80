// Test harness: a runtime process on a private socket/state dir with a reference
// CNI bridge conflist, a promise-based CRI client, and a cleanup that removes
// everything carrying the run's tkube-test- prefix even after a failure.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CRI_PROTO_PATH, loadCriServices } from '../../runtime/cri/proto.js';
import type { ImageServiceMethods, RuntimeServiceMethods } from '../../runtime/cri/types.js';
import { makeBusyboxRootfs } from './local-image-store.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

type Req<M, K extends keyof M> = M[K] extends [infer Q, unknown] ? Partial<Q> : never;
type Res<M, K extends keyof M> = M[K] extends [unknown, infer R] ? R : never;

export class CriClient {
  private readonly rt: grpc.Client;
  private readonly img: grpc.Client;
  constructor(socket: string) {
    const s = loadCriServices();
    this.rt = new s.RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure());
    this.img = new s.ImageService(`unix://${socket}`, grpc.credentials.createInsecure());
  }
  private call<T>(client: grpc.Client, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, (r: unknown, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v: T) => void) => void>)[method]!;
      fn.call(client, req, { deadline: Date.now() + 120_000 }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }
  runtime<K extends keyof RuntimeServiceMethods>(method: K, req: Req<RuntimeServiceMethods, K>): Promise<Res<RuntimeServiceMethods, K>> {
    return this.call(this.rt, method, req);
  }
  image<K extends keyof ImageServiceMethods>(method: K, req: Req<ImageServiceMethods, K>): Promise<Res<ImageServiceMethods, K>> {
    return this.call(this.img, method, req);
  }
  close(): void {
    this.rt.close();
    this.img.close();
  }
}

export interface Harness {
  tag: string;
  prefix: string;
  dir: string;
  socket: string;
  stateDir: string;
  bridge: string;
  subnet: string;
  ipamDir: string;
  logDir: string;
  client: CriClient;
  streamingUrl: string;
  child: ChildProcess;
  /** More directories for cleanup to remove. */
  extraDirs: string[];
  startRuntime(): Promise<void>;
  killRuntime(): void;
  cleanup(): Promise<void>;
}

/** argv[0] of a /proc/<pid>/cmdline is conmon (by name or path). */
function isConmon(cmdline: string): boolean {
  return path.basename(cmdline.split('\0')[0] ?? '') === 'conmon';
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return '';
  }
}

/** Compiles the runtime child entry (and its imports) once per test file. */
async function compileChild(outDir: string): Promise<string> {
  execFileSync(
    path.join(REPO, 'node_modules/.bin/tsc'),
    ['--outDir', outDir, '--rootDir', REPO, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
      '--skipLibCheck', '--esModuleInterop', '--types', 'node', '--noCheck', path.join(REPO, 'test/runtime/runtime-child.ts')],
    { cwd: REPO, stdio: 'pipe' },
  );
  await fs.symlink(path.join(REPO, 'node_modules'), path.join(outDir, 'node_modules'));
  return path.join(outDir, 'test/runtime/runtime-child.js');
}

export interface HarnessOptions {
  ociRuntime?: string;
  ociRuntimeArgs?: string[];
  /** Use the real image store, importing these OCI archives; the pause image is then this ref. */
  archives?: string[];
  pauseImage?: string;
  /** CNI plugin dirs (default the reference plugins in /usr/lib/cni). */
  cniBinDirs?: string[];
  /** The network config to use instead of the reference bridge + host-local + loopback. */
  conflist?: (net: { name: string; bridge: string; subnet: string; ipamDir: string }) => unknown;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const tag = randomBytes(3).toString('hex');
  const prefix = `tkube-test-${tag}-`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `tkube-test-${tag}-`));
  const h: Partial<Harness> & { tag: string; prefix: string; dir: string } = { tag, prefix, dir };
  h.socket = path.join(dir, 'cri.sock');
  h.stateDir = path.join(dir, 'state');
  h.bridge = `tk${tag}`;
  const octet = 100 + (parseInt(tag.slice(0, 2), 16) % 100);
  h.subnet = `10.${octet}.${parseInt(tag.slice(2, 4), 16)}.0/24`;
  h.ipamDir = path.join(dir, 'ipam');
  h.logDir = path.join(dir, 'logs');
  const layerDir = path.join(dir, 'layer');
  await makeBusyboxRootfs(layerDir);
  const confDir = path.join(dir, 'net.d');
  await fs.mkdir(confDir);
  const netParams = { name: `tkube-test-${tag}`, bridge: h.bridge, subnet: h.subnet, ipamDir: h.ipamDir };
  await fs.writeFile(
    path.join(confDir, '10-tkube-test.conflist'),
    JSON.stringify(opts.conflist ? opts.conflist(netParams) : {
      cniVersion: '1.0.0',
      name: `tkube-test-${tag}`,
      plugins: [
        {
          type: 'bridge',
          bridge: h.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: h.subnet }]], dataDir: h.ipamDir },
        },
        { type: 'loopback' },
      ],
    }),
  );
  const childJs = await compileChild(path.join(dir, 'build'));
  const childCfg = JSON.stringify({
    socket: h.socket,
    stateDir: h.stateDir,
    cniConfDir: confDir,
    cniBinDirs: opts.cniBinDirs ?? ['/usr/lib/cni'],
    ociRuntime: opts.ociRuntime ?? 'runc',
    ociRuntimeArgs: opts.ociRuntimeArgs ?? [],
    streamingAddr: '127.0.0.1:0',
    namePrefix: prefix,
    layerDir,
    ...(opts.archives ? { imageDir: path.join(dir, 'images'), archives: opts.archives } : {}),
    ...(opts.pauseImage ? { pauseImage: opts.pauseImage } : {}),
  });
  const harness = h as Harness;
  harness.extraDirs = [];
  harness.startRuntime = async () => {
    const child = spawn(process.execPath, [childJs, childCfg], {
      cwd: dir, // anything a helper drops in its working directory stays in the test's dir
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TKUBE_CRI_PROTO: CRI_PROTO_PATH },
    });
    harness.child = child;
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (process.env.TKUBE_TEST_VERBOSE) process.stderr.write(b);
    });
    harness.streamingUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /READY (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`runtime exited ${code}: ${stderr}`)));
    });
    harness.client = new CriClient(h.socket!);
  };
  harness.killRuntime = () => {
    harness.client?.close();
    harness.child?.kill('SIGKILL');
  };
  harness.cleanup = async () => {
    harness.killRuntime();
    // conmon processes (and so containers) of this run: found by our state dir in their argv.
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes(h.stateDir!) && isConmon(cmd)) process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const ociRoot = path.join(h.stateDir!, 'oci');
    if (existsSync(ociRoot)) {
      for (const id of readdirSync(ociRoot)) {
        sh(opts.ociRuntime ?? 'runc', ['--root', ociRoot, ...(opts.ociRuntimeArgs ?? []), 'delete', '--force', id]);
      }
    }
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      const mp = line.split(' ')[4];
      if (mp?.startsWith(dir)) sh('umount', ['-l', mp]);
    }
    for (const ns of sh('ip', ['netns', 'list']).split('\n')) {
      const name = ns.split(' ')[0];
      if (name?.startsWith(prefix)) sh('ip', ['netns', 'delete', name]);
    }
    sh('ip', ['link', 'delete', h.bridge!]);
    for (const ctl of readdirSync('/sys/fs/cgroup')) {
      const root = path.join('/sys/fs/cgroup', ctl, prefix.replace(/-+$/, ''));
      if (existsSync(root)) sh('find', [root, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
    }
    await fs.rm(dir, { recursive: true, force: true });
    for (const d of harness.extraDirs) await fs.rm(d, { recursive: true, force: true });
  };
  return harness;
}

/** What the runtime leaves on the host for this run; all empty after full cleanup by the runtime. */
export function leftovers(h: Harness): Record<string, string[]> {
  const ociRoot = path.join(h.stateDir, 'oci');
  const cgRoot = h.prefix.replace(/-+$/, '');
  const cgroups: string[] = [];
  for (const ctl of readdirSync('/sys/fs/cgroup')) {
    const root = path.join('/sys/fs/cgroup', ctl, cgRoot);
    if (!existsSync(root)) continue;
    for (const d of sh('find', [root, '-mindepth', '1', '-type', 'd']).split('\n').filter(Boolean)) cgroups.push(d);
  }
  const conmons: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (isConmon(cmd) && cmd.includes(h.stateDir)) conmons.push(pid);
    } catch {
      /* gone */
    }
  }
  const ipam = path.join(h.ipamDir, `tkube-test-${h.tag}`);
  const stateFiles: string[] = [];
  for (const sub of ['sandboxes', 'containers', 'pods', 'ctrs', 'sock', 'exits', 'cni', 'exec']) {
    const d = path.join(h.stateDir, sub);
    if (existsSync(d)) stateFiles.push(...readdirSync(d).map((f) => `${sub}/${f}`));
  }
  return {
    stateFiles,
    netns: sh('ip', ['netns', 'list']).split('\n').filter((l) => l.startsWith(h.prefix)),
    veths: sh('ip', ['-o', 'link', 'show', 'master', h.bridge]).split('\n').filter(Boolean),
    ipAllocations: existsSync(ipam) ? readdirSync(ipam).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : [],
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => (l.split(' ')[4] ?? '').startsWith(h.dir)),
    cgroups,
    runcState: existsSync(ociRoot) ? readdirSync(ociRoot) : [],
    conmon: conmons,
  };
}
