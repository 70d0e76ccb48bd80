/**
 * The README as a newcomer meets it: `bin/tkube up` brings up a single-node cluster with
 * nothing to configure, the five-minute tour runs as written with the real kubectl, then
 * again with `kubectl` replaced by tkube's own `tkctl`, and Ctrl-C leaves nothing of
 * tkube's on the host (test/e2e/leftovers.test.ts checks that in full).
 *
 * Do not run it beside leftovers.test.ts (both bring up a single node on the tkube0
 * bridge): `npx vitest run --no-file-parallelism test/e2e`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, REPO, removeUp, startUp, type UpProcess } from './tkube-up.js';

const run = promisify(execFile);

/** The first ```sh block after the tour's heading in README.md. */
function tourScript(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## A five-minute tour'));
  const match = /```sh\n([\s\S]*?)```/.exec(tour);
  if (!match) throw new Error('README.md has no ```sh block in its tour');
  return match[1]!;
}

async function podNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => /^tkube-[0-9a-f]{16}$/.test(n));
}

async function runTour(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

function expectTourOutput(stdout: string): void {
  expect(stdout).toMatch(/\n\S+\s+Ready\s/); // get nodes -o wide: the node, Ready
  expect(stdout).toContain('deployment.apps/web created');
  expect(stdout).toContain('deployment "web" successfully rolled out');
  expect(stdout).toMatch(/hello from web-[a-z0-9]+-[a-z0-9]{5}/); // one pod answered another over the pod network
  expect(stdout).toMatch(/response:200/); // httpd's access log
  expect(stdout).toContain('deployment.apps/web scaled');
  expect(stdout).toContain('deployment.apps/web image updated');
  expect(stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  expect(stdout).toContain('deployment.apps/web rolled back');
  expect(stdout).toContain('deployment.apps "web" deleted');
}

describe('README tour on `tkube up`', () => {
  let up: UpProcess | undefined;

  beforeAll(async () => {
    up = await startUp('tkube-e2e-home-');
  }, 180_000);

  afterAll(async () => {
    await removeUp(up);
  }, 120_000);

  it('brings up a Ready node, showing each step', () => {
    const output = up!.output();
    expect(output).toMatch(/starting etcd \.\.\. done \(\d+ ms\)/);
    expect(output).toMatch(/waiting for node .* to be Ready \.\.\. done/);
    expect(output).toMatch(/tkube is up in \d+\.\d s/);
    expect(output).toContain(`export KUBECONFIG=${up!.kubeconfig}`);
  });

  it('runs the tour as written, with kubectl', async () => {
    expectTourOutput(await runTour(tourScript(), { ...up!.env, KUBECONFIG: '' }));
  }, 260_000);

  it('runs the same tour with tkctl', async () => {
    // The first run's pods and replica sets go away in the background: start from a clean namespace.
    const deadline = Date.now() + 90_000;
    while ((await kubectl(up!.env, ['get', 'pods,replicasets', '-l', 'app=web', '-o', 'name'])).trim() !== '') {
      if (Date.now() > deadline) throw new Error('the first tour run left pods or replica sets behind');
      await new Promise((r) => setTimeout(r, 500));
    }
    const script = tourScript().replace(/\bkubectl\b/g, 'tkctl');
    expect(script).not.toContain('kubectl');
    const env = { ...up!.env, KUBECONFIG: '', PATH: `${join(REPO, 'bin')}:${process.env.PATH ?? ''}` };
    expectTourOutput(await runTour(script, env));
  }, 360_000);

  it('stops on Ctrl-C and leaves no pod sandbox behind', async () => {
    up!.child.kill('SIGINT');
    expect(await up!.exited).toBe(0);
    expect(up!.output()).toContain('tkube: stopped');
    expect(await podNetns()).toEqual([]);
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(up!.home));
    expect(mounts).toEqual([]);
  }, 120_000);
});
