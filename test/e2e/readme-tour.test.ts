/**
 * The README as a newcomer meets it: `bin/tkube up` brings up a single-node cluster with
 * nothing to configure, the five-minute tour runs as written with the real kubectl, and
 * Ctrl-C leaves nothing of tkube's on the host.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../cli/etcd-process.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');

/** The first ```sh block after the tour's heading in README.md. */
function tourScript(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## A five-minute tour'));
  const match = /```sh\n([\s\S]*?)```/.exec(tour);
  if (!match) throw new Error('README.md has no ```sh block in its tour');
  return match[1]!;
}

async function tkubeNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('tkube-') && !n.startsWith('tkube-test-'));
}

describe('README tour on `tkube up`', () => {
  const home = mkdtempSync('/tmp/tkube-e2e-home-');
  let up: ChildProcess | undefined;
  let output = '';
  const env = { ...process.env, HOME: home, TKUBE_HOME: join(home, '.tkube') };

  beforeAll(async () => {
    const port = await freePort();
    const kubeletPort = await freePort();
    up = spawn(process.execPath, [join(REPO, 'dist/cli/tkube.js'), 'up', '--port', String(port), '--kubelet-port', String(kubeletPort)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    up.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 150_000;
    while (!output.includes('tkube is up')) {
      if (up.exitCode !== null) throw new Error(`tkube up exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`tkube up did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 180_000);

  afterAll(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('brings up a Ready node, showing each step', () => {
    expect(output).toMatch(/starting etcd \.\.\. done \(\d+ ms\)/);
    expect(output).toMatch(/waiting for node .* to be Ready \.\.\. done/);
    expect(output).toContain(`export KUBECONFIG=${join(home, '.tkube', 'kubeconfig')}`);
  });

  it('runs the tour as written', async () => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', tourScript()], { env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain('deployment.apps/web created');
    expect(stdout).toContain('deployment "web" successfully rolled out');
    expect(stdout).toMatch(/hello from web-[a-z0-9]+-[a-z0-9]{5}/); // one pod answered another over the pod network
    expect(stdout).toContain('deployment.apps/web scaled');
    expect(stdout).toContain('deployment.apps/web rolled back');
    expect(stdout).toContain('deployment.apps "web" deleted');
  }, 260_000);

  it('stops on Ctrl-C and leaves no pod sandbox behind', async () => {
    const exited = new Promise<number | null>((resolve) => up!.once('exit', (code) => resolve(code)));
    up!.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('tkube: stopped');
    expect(await tkubeNetns()).toEqual([]);
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(home));
    expect(mounts).toEqual([]);
  }, 120_000);
});
