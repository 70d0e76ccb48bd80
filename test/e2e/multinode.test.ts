/**
 * `tkube up --nodes N`: netns nodes joined through `tkube join` (the VM path). A
 * Deployment of 6 spreads over 3 nodes, every pod reaches every other pod by IP across
 * nodes (host-gw routes), a node whose kubelet stops goes NotReady and its pods are
 * replaced on the others; then the same reachability over VXLAN on 2 nodes. Ctrl-C leaves
 * no namespace, process, cgroup or mount behind. Runs as root with real containers.
 *
 * Security is on (issue 8): kubectl talks TLS with the admin kubeconfig through the host
 * forwarder; on the same 3-node cluster, node-1's real credentials (the certificate its
 * kubelet obtained through a CSR) cannot touch node-2, its pods, or a secret no pod of
 * node-1 uses (done-means 2); a pod's projected service-account token is allowed exactly
 * what its RoleBinding says (3); a kubelet's API refuses callers other than the
 * apiserver while logs and exec through the apiserver work (4).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_HOME_ENV } from '../../cli/cleanup/processes.js';
import { removeUnderlay } from '../../cli/cluster/underlay.js';
import { freePort } from '../../cli/free-port.js';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}
interface NodeJson {
  metadata: { name: string };
  status: { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string }[] };
}

const ready = (o: { status: { conditions?: { type: string; status: string }[] } }) => o.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Pids of processes carrying this cluster's marker (every process `up` starts, directly or not). */
function clusterPids(home: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`${CLUSTER_HOME_ENV}=${home}`)) pids.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return pids;
}

function processArgs(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

async function tkubeNodeNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n === 'tkube-cp' || /^tkube-node-\d+/.test(n));
}

/** One multi-node cluster for a describe block: started in beforeAll, stopped (and, on failure, force-cleaned) in afterAll. */
function multiNodeCluster(nodes: number, extraArgs: string[]) {
  // Created by start(), not here: a describe block filtered out (-t) runs no afterAll to remove it.
  const root = `/tmp/tkube-e2e-mn-${process.pid}-${randomBytes(4).toString('hex')}`;
  const home = join(root, '.tkube');
  const env = { ...process.env, TKUBE_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
  const state = { up: undefined as ChildProcess | undefined, output: '', upMs: 0 };

  const kubectl = async (args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> => {
    const child = execFile('kubectl', args, { env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    if (code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${code}): ${err || out}`);
    return out;
  };

  const start = async () => {
    mkdirSync(root, { mode: 0o700 });
    const port = await freePort();
    const t0 = Date.now();
    const up = spawn(process.execPath, [join(REPO, 'dist/cli/tkube.js'), 'up', '--nodes', String(nodes), '--port', String(port), ...extraArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    state.up = up;
    up.stdout!.on('data', (d: Buffer) => (state.output += d.toString()));
    up.stderr!.on('data', (d: Buffer) => (state.output += d.toString()));
    const deadline = Date.now() + 150_000;
    while (!state.output.includes('tkube is up')) {
      if (up.exitCode !== null) throw new Error(`tkube up exited early:\n${state.output}`);
      if (Date.now() > deadline) throw new Error(`tkube up did not come up:\n${state.output}`);
      await sleep(200);
    }
    state.upMs = Date.now() - t0;
    console.log(`tkube up --nodes ${nodes} ${extraArgs.join(' ')}: up in ${state.upMs} ms`);
  };

  /** Ctrl-C; returns the exit code (null if it had to be killed). */
  const stop = async (): Promise<number | null> => {
    const up = state.up;
    if (!up || up.exitCode !== null || up.signalCode !== null) return up?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    up.kill('SIGINT');
    const timer = setTimeout(() => up.kill('SIGKILL'), 90_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  /** Whatever a failed run left: the cluster's processes (continued first, in case one was stopped), namespaces, cgroups, files. */
  const forceCleanup = async () => {
    await stop();
    for (const pid of clusterPids(home)) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 50 && clusterPids(home).length > 0; i++) await sleep(100);
    await removeUnderlay();
    for (const controller of readdirSync('/sys/fs/cgroup')) {
      for (let i = 1; i <= nodes; i++) {
        const dir = join('/sys/fs/cgroup', controller, `tkube-node-${i}`);
        if (existsSync(dir)) await run('find', [dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']).catch(() => undefined);
      }
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  };

  const pods = async (): Promise<PodJson[]> => (JSON.parse(await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: PodJson[] }).items;

  /** Every live pod fetches every other live pod's page by IP; returns the failures. */
  const crossPodFailures = async (): Promise<string[]> => {
    const live = (await pods()).filter((p) => !p.metadata.deletionTimestamp);
    const failures: string[] = [];
    for (const from of live) {
      for (const to of live) {
        if (from === to) continue;
        try {
          const body = await kubectl(['exec', from.metadata.name, '--', 'wget', '-qO-', `http://${to.status.podIP}:8080/index.html`], { timeoutMs: 15_000 });
          if (!body.includes(`hello from ${to.metadata.name}`)) failures.push(`${from.metadata.name} -> ${to.metadata.name}: ${body}`);
        } catch (err) {
          failures.push(`${from.metadata.name} (${from.spec.nodeName}) -> ${to.metadata.name} (${to.spec.nodeName}): ${(err as Error).message}`);
        }
      }
    }
    return failures;
  };

  /**
   * A kubeconfig with node i's own credentials (what its kubelet and network agent use,
   * obtained through a CSR), pointed at the host's forwarded port instead of the underlay.
   */
  const nodeKubeconfig = (i: number): string => {
    const node = loadKubeconfig(join(home, 'nodes', `node-${i}`, 'kubelet.kubeconfig'));
    const host = loadKubeconfig(join(home, 'kubeconfig'));
    const path = join(root, `node-${i}.kubeconfig`);
    writeKubeconfig(path, { server: host.server, user: `system:node:tkube-node-${i}`, caCert: node.ca, clientCert: node.cert, clientKey: node.key });
    return path;
  };

  return { root, home, env, state, start, stop, forceCleanup, kubectl, pods, crossPodFailures, nodeKubeconfig };
}

function webDeployment(replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          // ScheduleAnyway: a hard constraint would keep replacements Pending while the dead node (0 pods) still counts as a domain.
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
          // Shortened from the default 300 s, so a dead node's pods are replaced within the test.
          tolerations: [
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
            { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
          ],
          containers: [
            {
              name: 'web',
              image: 'busybox:1.36',
              command: ['sh', '-c', 'echo hello from $(hostname) > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'],
              ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 2 },
            },
          ],
        },
      },
    },
  });
}

function countByNode(list: PodJson[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of list) counts[p.spec.nodeName ?? '(none)'] = (counts[p.spec.nodeName ?? '(none)'] ?? 0) + 1;
  return counts;
}

describe('tkube up --nodes 3 (host-gw)', () => {
  // Shortened from 40 s, but longer than the kubelet's 10 s lease renewal, so live nodes never flap.
  const c = multiNodeCluster(3, ['--network-mode', 'host-gw', '--node-monitor-grace-period', '20s']);
  let stoppedKubelet: number | undefined;

  beforeAll(() => c.start(), 180_000);
  afterAll(async () => {
    if (stoppedKubelet) process.kill(stoppedKubelet, 'SIGCONT');
    await c.forceCleanup();
  }, 200_000);

  it('brings up 3 Ready nodes, each on its own underlay address', async () => {
    expect(c.state.output).toMatch(/creating the network namespaces \(tkube-cp, tkube-node-1, tkube-node-2, tkube-node-3\) \.\.\. done/);
    const nodes = (JSON.parse(await c.kubectl(['get', 'nodes', '-o', 'json'])) as { items: NodeJson[] }).items;
    const summary = nodes.map((n) => [n.metadata.name, n.status.addresses?.find((a) => a.type === 'InternalIP')?.address, ready(n)]);
    expect(summary).toEqual([
      ['tkube-node-1', '10.213.0.11', true],
      ['tkube-node-2', '10.213.0.12', true],
      ['tkube-node-3', '10.213.0.13', true],
    ]);
    // The host's root netns got no underlay address.
    const { stdout } = await run('ip', ['-4', 'addr']);
    expect(stdout).not.toContain('10.213.0.');
  });

  it('spreads a Deployment of 6 over the 3 nodes', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: webDeployment(6) });
    await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    const list = await c.pods();
    expect(list).toHaveLength(6);
    expect(countByNode(list)).toEqual({ 'tkube-node-1': 2, 'tkube-node-2': 2, 'tkube-node-3': 2 });
  }, 150_000);

  it('lets every pod reach every other pod by IP, across nodes', async () => {
    expect(await c.crossPodFailures()).toEqual([]);
  }, 120_000);

  it('serves the API over TLS only to credentials: the admin kubeconfig carries the CA and a system:masters certificate', async () => {
    const kc = readFileSync(join(c.home, 'kubeconfig'), 'utf8');
    expect(kc).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/);
    expect(kc).toContain('certificate-authority-data');
    expect((await c.kubectl(['auth', 'can-i', '*', '*'])).trim()).toBe('yes');
    const server = loadKubeconfig(join(c.home, 'kubeconfig')).server;
    const anonymous = await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${server}/api/v1/namespaces/default/pods`]);
    expect(anonymous.stdout).toBe('401');
    // The one anonymous grant: cluster-info, which joining nodes read before they trust the server.
    const clusterInfo = await run('curl', ['-sk', `${server}/api/v1/namespaces/kube-public/configmaps/cluster-info`]);
    expect(JSON.parse(clusterInfo.stdout)).toMatchObject({ kind: 'ConfigMap', data: { kubeconfig: expect.stringContaining('certificate-authority-data') } });
    expect((await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${server}/api/v1/namespaces/kube-public/configmaps`])).stdout).toBe('401');
  });

  it("node-1's own credentials cannot modify node-2 or its pods, nor read a secret no pod of node-1 uses (403)", async () => {
    const asNode1 = c.nodeKubeconfig(1);
    const node1 = (args: string[]) => c.kubectl(['--kubeconfig', asNode1, ...args]);
    const refusal = (args: string[]) => node1(args).then((out) => `allowed: ${out}`, (err: Error) => err.message);
    expect((await node1(['auth', 'can-i', 'get', 'nodes'])).trim()).toBe('yes');
    // What its network agent does on its own Node is allowed.
    await node1(['annotate', 'node', 'tkube-node-1', '--overwrite', 'tkube.test/own=yes']);

    expect(await refusal(['annotate', 'node', 'tkube-node-2', '--overwrite', 'tkube.test/other=yes'])).toMatch(/Forbidden|forbidden/);
    expect(await refusal(['label', 'node', 'tkube-node-2', '--overwrite', 'tkube.test/other=yes'])).toMatch(/Forbidden|forbidden/);
    const onNode2 = (await c.pods()).find((p) => p.spec.nodeName === 'tkube-node-2');
    expect(onNode2).toBeDefined();
    expect(await refusal(['patch', 'pod', onNode2!.metadata.name, '--subresource=status', '--type=merge', '-p', '{"status":{"message":"from node-1"}}'])).toMatch(
      /Forbidden|forbidden/,
    );
    expect(await refusal(['delete', 'pod', onNode2!.metadata.name, '--wait=false'])).toMatch(/Forbidden|forbidden/);

    await c.kubectl(['create', 'secret', 'generic', 'tkube-unused', '--from-literal=k=v']);
    const secretRefusal = await refusal(['get', 'secret', 'tkube-unused', '-o', 'name']);
    expect(secretRefusal).toContain('secrets "tkube-unused" is forbidden: User "system:node:tkube-node-1" cannot get resource "secrets"');
    expect(await refusal(['get', 'secrets'])).toMatch(/forbidden/);
  });

  it("a pod's projected service-account token is allowed exactly what its RoleBinding grants", async () => {
    const ns = 'tkube-sa-e2e';
    await c.kubectl(['create', 'namespace', ns]);
    await c.kubectl(['-n', ns, 'create', 'serviceaccount', 'reader']);
    await c.kubectl(['-n', ns, 'create', 'rolebinding', 'reader-view', '--clusterrole=view', `--serviceaccount=${ns}:reader`]);
    // busybox wget's own TLS cannot handshake with the apiserver (it offers no ECDSA signature
    // algorithm; on a host it borrows openssl, absent from the image). The client in the pod is
    // the real kubectl instead (a static Go binary, mounted from the host): with no kubeconfig it
    // uses the in-cluster config — KUBERNETES_SERVICE_HOST/PORT, the projected token, and ca.crt
    // to verify the apiserver's certificate.
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: ns },
      spec: {
        serviceAccountName: 'reader',
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'kubectl', hostPath: { path: realpathSync('/usr/bin/kubectl'), type: 'File' } }],
        containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'kubectl', mountPath: '/usr/local/bin/kubectl', readOnly: true }] }],
      },
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await c.kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod/client', '--timeout=60s'], { timeoutMs: 70_000 });
    const inPod = (args: string[]) => c.kubectl(['-n', ns, 'exec', 'client', '--', ...args]).then((out) => out, (err: Error) => err.message);

    const files = await inPod(['ls', '/var/run/secrets/kubernetes.io/serviceaccount']);
    expect(files.split(/\s+/).filter(Boolean).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect(await inPod(['sh', '-c', 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT'])).toBe('10.213.0.1:6443\n');

    expect((await inPod(['kubectl', 'get', 'pods', '-o', 'name'])).trim()).toBe('pod/client');
    const raw = JSON.parse(await inPod(['kubectl', 'get', '--raw', `/api/v1/namespaces/${ns}/pods`])) as { kind: string };
    expect(raw.kind).toBe('PodList');
    const user = `User "system:serviceaccount:${ns}:reader"`;
    expect(await inPod(['kubectl', 'get', 'secrets'])).toContain(`secrets is forbidden: ${user} cannot list resource "secrets" in API group "" in the namespace "${ns}"`);
    expect(await inPod(['kubectl', 'get', 'pods', '-n', 'default'])).toContain(`pods is forbidden: ${user} cannot list resource "pods" in API group "" in the namespace "default"`);
    expect(await inPod(['kubectl', 'create', 'configmap', 'x'])).toContain(`configmaps is forbidden: ${user} cannot create resource "configmaps"`);
    expect((await inPod(['kubectl', 'auth', 'can-i', 'watch', 'deployments.apps'])).trim()).toBe('yes');
    await c.kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 120_000);

  it('the kubelet API refuses callers without the apiserver certificate; logs and exec through the apiserver work', async () => {
    const kubeletUrl = 'https://10.213.0.11:10250/pods';
    const direct = await run('ip', ['netns', 'exec', 'tkube-node-1', 'curl', '-sk', '-o', '/dev/null', '-w', '%{http_code}', kubeletUrl]);
    expect(direct.stdout).toBe('401');
    // A valid cluster certificate that is not the apiserver's (node-2's own) is authenticated but not authorized.
    const node2 = loadKubeconfig(join(c.home, 'nodes', 'node-2', 'kubelet.kubeconfig'));
    const certFile = join(c.root, 'node-2.crt');
    const keyFile = join(c.root, 'node-2.key');
    writeFileSync(certFile, node2.cert!);
    writeFileSync(keyFile, node2.key!, { mode: 0o600 });
    const asNode2 = await run('ip', ['netns', 'exec', 'tkube-node-1', 'curl', '-sk', '--cert', certFile, '--key', keyFile, '-o', '/dev/null', '-w', '%{http_code}', kubeletUrl]);
    expect(asNode2.stdout).toBe('403');

    const pod = (await c.pods()).find((p) => p.spec.nodeName === 'tkube-node-1')!;
    expect(await c.kubectl(['exec', pod.metadata.name, '--', 'cat', '/tmp/index.html'])).toContain(`hello from ${pod.metadata.name}`);
    await c.kubectl(['logs', pod.metadata.name]);
  }, 60_000);

  it("marks a node NotReady when its kubelet stops, and replaces its pods on the others", async () => {
    const kubelet = clusterPids(c.home).find((pid) => {
      const args = processArgs(pid);
      return args.includes('kubelet') && args.includes('tkube-node-3');
    });
    expect(kubelet).toBeDefined();
    expect(ready(JSON.parse(await c.kubectl(['get', 'node', 'tkube-node-3', '-o', 'json'])) as NodeJson)).toBe(true);
    process.kill(kubelet!, 'SIGSTOP');
    stoppedKubelet = kubelet;
    const t0 = Date.now();
    let node: NodeJson | undefined;
    while (Date.now() - t0 < 60_000) {
      node = JSON.parse(await c.kubectl(['get', 'node', 'tkube-node-3', '-o', 'json'])) as NodeJson;
      if (!ready(node)) break;
      await sleep(1000);
    }
    expect(ready(node!)).toBe(false);
    const notReadyAfter = Date.now() - t0;
    console.log(`tkube-node-3 NotReady ${notReadyAfter} ms after its kubelet stopped`);
    // Not before the grace period (20 s) has run from the last lease renewal (at most 10 s before the stop).
    expect(notReadyAfter).toBeGreaterThan(9_000);

    let live: PodJson[] = [];
    while (Date.now() - t0 < 120_000) {
      live = (await c.pods()).filter((p) => !p.metadata.deletionTimestamp);
      if (live.length === 6 && live.every((p) => p.spec.nodeName !== 'tkube-node-3' && ready(p))) break;
      await sleep(1000);
    }
    expect(live.filter((p) => ready(p)).map((p) => p.spec.nodeName).sort()).toEqual(['tkube-node-1', 'tkube-node-1', 'tkube-node-1', 'tkube-node-2', 'tkube-node-2', 'tkube-node-2']);
    console.log(`pods replaced ${Date.now() - t0} ms after the kubelet stopped`);
    const nodes = (JSON.parse(await c.kubectl(['get', 'nodes', '-o', 'json'])) as { items: NodeJson[] }).items;
    expect(nodes.map((n) => [n.metadata.name, ready(n)])).toEqual([
      ['tkube-node-1', true],
      ['tkube-node-2', true],
      ['tkube-node-3', false],
    ]);
    process.kill(kubelet!, 'SIGCONT');
    stoppedKubelet = undefined;
  }, 150_000);

  it('stops on Ctrl-C and leaves no namespace, process or mount behind', async () => {
    expect(await c.stop()).toBe(0);
    expect(c.state.output).toContain('tkube: stopped');
    expect(await tkubeNodeNetns()).toEqual([]);
    expect(clusterPids(c.home)).toEqual([]);
    expect(readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(c.root))).toEqual([]);
    for (let i = 1; i <= 3; i++) expect(existsSync(`/sys/fs/cgroup/memory/tkube-node-${i}`) || existsSync(`/sys/fs/cgroup/unified/tkube-node-${i}`)).toBe(false);
  }, 120_000);
});

describe('tkube up --nodes 2 --network-mode vxlan', () => {
  const c = multiNodeCluster(2, ['--network-mode', 'vxlan']);
  beforeAll(() => c.start(), 180_000);
  afterAll(() => c.forceCleanup(), 200_000);

  it('routes pod traffic between the nodes over VXLAN', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: webDeployment(2) });
    await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(countByNode(await c.pods())).toEqual({ 'tkube-node-1': 1, 'tkube-node-2': 1 });
    const { stdout } = await run('ip', ['-n', 'tkube-node-1', '-d', 'link', 'show', 'type', 'vxlan']);
    expect(stdout).toContain('vxlan');
    expect(await c.crossPodFailures()).toEqual([]);
    expect(await c.stop()).toBe(0);
    expect(await tkubeNodeNetns()).toEqual([]);
  }, 240_000);
});
