/**
 * The README as a newcomer meets it: `bin/tkube up` brings up a single-node cluster with
 * nothing to configure, the five-minute tour runs as written with the real kubectl, then
 * again with `kubectl` replaced by tkube's own `tkctl`, and Ctrl-C leaves nothing of
 * tkube's on the host (test/e2e/leftovers.test.ts checks that in full).
 *
 * With security on (the default), it also checks what README.md's Security section says:
 * HTTPS only, the admin kubeconfig and the PKI's modes, and adding a user with a client
 * certificate whose RBAC role holds. (vitest runs test/e2e files one at a time: they share
 * the tkube0 bridge.)
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, REPO, removeUp, startUp, type UpProcess } from './tkube-up.js';

const run = promisify(execFile);

/** The first ```sh block after a heading of README.md. */
function readmeScript(heading: string): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no "${heading}"`);
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match) throw new Error(`README.md has no \`\`\`sh block under "${heading}"`);
  return match[1]!;
}

const tourScript = (): string => readmeScript('## A five-minute tour');

/** Status code of an HTTPS GET without credentials, trusting `ca`. */
function anonymousGet(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

async function podNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => /^tkube-[0-9a-f]{16}$/.test(n));
}

async function runTour(script: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<string> {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { env, cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
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

  it('serves only HTTPS, with the admin kubeconfig and the PKI as README.md says', async () => {
    const pki = join(up!.tkubeHome, 'pki');
    expect(statSync(up!.kubeconfig).mode & 0o777).toBe(0o600);
    for (const key of ['ca.key', 'apiserver.key', 'admin.key', 'sa.key']) expect(statSync(join(pki, key)).mode & 0o777).toBe(0o600);
    const kubeconfig = readFileSync(up!.kubeconfig, 'utf8');
    expect(kubeconfig).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/);
    expect(kubeconfig).toContain('certificate-authority-data:');
    expect(kubeconfig).toContain('client-certificate-data:');
    const server = /server: (\S+)/.exec(kubeconfig)![1]!;
    const ca = readFileSync(join(pki, 'ca.crt'), 'utf8');
    expect(await anonymousGet(`${server}/api/v1/namespaces`, ca)).toBe(401);
    expect(await anonymousGet(`${server}/version`, ca)).toBe(200);
    // Plain HTTP gets no API.
    const plain = await fetch(server.replace('https:', 'http:') + '/api/v1/namespaces').then((r) => r.status, () => 0);
    expect(plain).not.toBe(200);
  }, 30_000);

  it('adds a user with a client certificate as README.md shows, and RBAC holds it to its role', async () => {
    const out = await runTour(readmeScript('## Security'), { ...up!.env }, up!.home);
    expect(out.split('\n').filter(Boolean)).toEqual(['yes', expect.stringMatching(/^User "jane" set\.$/), expect.stringMatching(/^Context "jane" (created|modified)\.$/), 'rolebinding.rbac.authorization.k8s.io/jane-view created', 'yes', 'no']);
    const denied = await kubectl(up!.env, ['--context', 'jane', 'create', 'deployment', 'denied', '--image=busybox:1.36']).then(
      () => 'created',
      (err: Error) => err.message,
    );
    expect(denied).toContain('deployments.apps is forbidden: User "jane" cannot create resource "deployments" in API group "apps" in the namespace "default"');
  }, 60_000);

  it('stops on Ctrl-C and leaves no pod sandbox behind', async () => {
    up!.child.kill('SIGINT');
    expect(await up!.exited).toBe(0);
    expect(up!.output()).toContain('tkube: stopped');
    expect(await podNetns()).toEqual([]);
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(up!.home));
    expect(mounts).toEqual([]);
  }, 120_000);
});
