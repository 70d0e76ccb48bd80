// Test helpers: a throwaway local docker-registry and tkube's test images.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../cli/free-port.js';

const run = promisify(execFile);
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestRegistry {
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, the registry part of image references */
  host: string;
  /** the registry's filesystem storage (docker/registry/v2/...) */
  storageDir: string;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url}: ${log()}`);
}

/** Start Debian's docker-registry on a free loopback port with its own temp storage. */
export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'tkube-registry-'));
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`http://${host}`, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://${host}`, host, storageDir, stop };
}

/** Build tkube/pause:3.10 and tkube/busybox:1.36 as OCI archives into outDir (deploy/images/build.sh). */
export async function buildTestImages(outDir: string): Promise<{ pause: string; busybox: string }> {
  await run('bash', [join(REPO_ROOT, 'deploy', 'images', 'build.sh'), outDir], { timeout: 60_000 });
  return { pause: join(outDir, 'pause.tar'), busybox: join(outDir, 'busybox.tar') };
}

/**
 * Push an OCI archive to a test registry as host/name (e.g. "tkube/busybox:1.36").
 * `all` pushes a whole image index; `format: 'v2s2'` converts to Docker schema2 media types.
 */
export async function pushArchive(
  archive: string,
  registry: Pick<TestRegistry, 'host'>,
  name: string,
  opts: { all?: boolean; format?: 'oci' | 'v2s2' } = {},
): Promise<void> {
  const args = ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false'];
  if (opts.all) args.push('--all');
  if (opts.format) args.push('--format', opts.format);
  await run('skopeo', [...args, `oci-archive:${archive}`, `docker://${registry.host}/${name}`], { timeout: 60_000 });
}
