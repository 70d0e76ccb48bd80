/**
 * `bin/tkube up` as a real process for end-to-end tests: a temp $TKUBE_HOME, free
 * ports, output captured, and `down` as the safety net that removes whatever a
 * failed test left on the host.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../cli/free-port.js';

const run = promisify(execFile);
export const REPO = join(import.meta.dirname, '..', '..');
export const TKUBE_JS = join(REPO, 'dist/cli/tkube.js');

export interface UpProcess {
  home: string;
  /** $TKUBE_HOME (home/.tkube). */
  tkubeHome: string;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export async function startUp(namePrefix: string, timeoutMs = 150_000): Promise<UpProcess> {
  const home = mkdtempSync(`/tmp/${namePrefix}`);
  const tkubeHome = join(home, '.tkube');
  const env = { ...process.env, HOME: home, TKUBE_HOME: tkubeHome, KUBECONFIG: join(tkubeHome, 'kubeconfig') };
  const port = await freePort();
  const kubeletPort = await freePort();
  const child = spawn(process.execPath, [TKUBE_JS, 'up', '--port', String(port), '--kubelet-port', String(kubeletPort)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const up: UpProcess = { home, tkubeHome, kubeconfig: join(tkubeHome, 'kubeconfig'), env, child, output: () => output, exited };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('tkube is up')) {
    if (child.exitCode !== null) throw new Error(`tkube up exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`tkube up did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return up;
}

export async function tkubeDown(tkubeHome: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [TKUBE_JS, 'down', '--home', tkubeHome], { timeout: 120_000 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The safety net for afterAll: kill `up` if still there, `down`, remove the temp home. */
export async function removeUp(up: UpProcess | undefined): Promise<void> {
  if (!up) return;
  if (up.child.exitCode === null && up.child.signalCode === null) up.child.kill('SIGKILL');
  await tkubeDown(up.tkubeHome);
  rmSync(up.home, { recursive: true, force: true });
}

export async function kubectl(env: NodeJS.ProcessEnv, args: string[], input?: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(input ?? '');
  });
}
