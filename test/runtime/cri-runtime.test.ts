// Real containers through the CRI socket: runc + conmon + reference CNI plugins.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ContainerConfig, PodSandboxConfig } from '../../runtime/cri/types.js';
import { waitFor } from '../helpers/wait.js';
import { createHarness, leftovers, type Harness } from './harness.js';

const BUSYBOX = 'tkube-test/busybox:latest';
let h: Harness;

function sandboxConfig(name: string, extra: Partial<PodSandboxConfig> = {}): Partial<PodSandboxConfig> {
  return {
    metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 },
    hostname: name,
    log_directory: path.join(h.logDir, name),
    labels: { app: name, 'tkube-test': h.tag },
    ...extra,
  };
}

function containerConfig(name: string, command: string[], extra: Partial<ContainerConfig> = {}): Partial<ContainerConfig> {
  return {
    metadata: { name, attempt: 0 },
    image: { image: BUSYBOX, annotations: {} },
    command,
    log_path: `${name}/0.log`,
    ...extra,
  };
}

async function runPod(name: string, extra: Partial<PodSandboxConfig> = {}): Promise<{ id: string; config: Partial<PodSandboxConfig> }> {
  const config = sandboxConfig(name, extra);
  const { pod_sandbox_id } = await h.client.runtime('RunPodSandbox', { config: config as PodSandboxConfig });
  return { id: pod_sandbox_id, config };
}

async function runContainer(pod: { id: string; config: Partial<PodSandboxConfig> }, cfg: Partial<ContainerConfig>): Promise<string> {
  const { container_id } = await h.client.runtime('CreateContainer', {
    pod_sandbox_id: pod.id,
    config: cfg as ContainerConfig,
    sandbox_config: pod.config as PodSandboxConfig,
  });
  await h.client.runtime('StartContainer', { container_id });
  return container_id;
}

async function waitExited(id: string, timeoutMs = 20_000): Promise<Awaited<ReturnType<typeof status>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(id);
    if (s.state === 'CONTAINER_EXITED' || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The container's shell (its PID 1, which the kernel spares signals it has no handler
 * for) has set its TERM trap: it logs "trap-set" right after.
 */
async function trapSet(id: string): Promise<void> {
  const { log_path } = await status(id);
  await waitFor(`container ${id} to set its trap`, () => readFileSync(log_path, 'utf8').includes('trap-set'), 10_000, 10);
}

async function status(id: string) {
  const { status: s } = await h.client.runtime('ContainerStatus', { container_id: id });
  return s!;
}

async function exec(id: string, cmd: string[], timeout = 10): Promise<{ out: string; err: string; code: number }> {
  const r = await h.client.runtime('ExecSync', { container_id: id, cmd, timeout });
  return { out: r.stdout.toString(), err: r.stderr.toString(), code: r.exit_code };
}

async function removePod(id: string): Promise<void> {
  await h.client.runtime('StopPodSandbox', { pod_sandbox_id: id });
  await h.client.runtime('RemovePodSandbox', { pod_sandbox_id: id });
}

beforeAll(async () => {
  h = await createHarness();
  await h.startRuntime();
}, 180_000);

afterAll(async () => {
  await h?.cleanup();
}, 120_000);

describe('CRI runtime with real containers', () => {
  let podA: { id: string; config: Partial<PodSandboxConfig> };
  let podB: { id: string; config: Partial<PodSandboxConfig> };
  let sleeperA = '';

  it('reports its version and status', async () => {
    const v = await h.client.runtime('Version', { version: 'v1' });
    expect(v.runtime_name).toBe('tkube');
    expect(v.runtime_api_version).toBe('v1');
    const s = await h.client.runtime('Status', {});
    expect(s.status!.conditions.map((c) => [c.type, c.status])).toEqual([
      ['RuntimeReady', true],
      ['NetworkReady', true],
    ]);
  });

  it('gives a sandbox an IP in its own network namespace', async () => {
    podA = await runPod('pod-a');
    const st = await h.client.runtime('PodSandboxStatus', { pod_sandbox_id: podA.id });
    expect(st.status!.state).toBe('SANDBOX_READY');
    const ip = st.status!.network!.ip;
    const net = h.subnet.split('.').slice(0, 3).join('.');
    expect(ip.startsWith(`${net}.`)).toBe(true);
    const ns = execFileSync('ip', ['netns', 'list']).toString().split('\n').find((l) => l.startsWith(h.prefix));
    expect(ns).toBeDefined();
    const addrs = execFileSync('ip', ['-n', ns!.split(' ')[0]!, '-o', 'addr', 'show', 'eth0']).toString();
    expect(addrs).toContain(`${ip}/24`);
    const list = await h.client.runtime('ListPodSandbox', { filter: { id: '', state: null, label_selector: { app: 'pod-a' } } });
    expect(list.items.map((i) => i.id)).toEqual([podA.id]);
  });

  it('runs a container that sees its env, args, mounts and hostname', async () => {
    const hostDir = path.join(h.dir, 'hostdata');
    execFileSync('mkdir', ['-p', hostDir]);
    execFileSync('sh', ['-c', `echo mounted-content > ${hostDir}/file`]);
    sleeperA = await runContainer(
      podA,
      containerConfig('sleeper', ['sh', '-c', 'echo "args:$0:$1"; exec sleep 3600', 'first', 'second'], {
        envs: [{ key: 'GREETING', value: 'hello world' }],
        mounts: [{ container_path: '/data', host_path: hostDir, readonly: true, selinux_relabel: false, propagation: 'PROPAGATION_PRIVATE' }],
      }),
    );
    const s = await status(sleeperA);
    expect(s.state).toBe('CONTAINER_RUNNING');
    expect((await exec(sleeperA, ['sh', '-c', 'echo $GREETING/$IMAGE_ENV'])).out).toBe('hello world/from-image\n');
    expect((await exec(sleeperA, ['cat', '/data/file'])).out).toBe('mounted-content\n');
    expect((await exec(sleeperA, ['hostname'])).out).toBe('pod-a\n');
    const ro = await exec(sleeperA, ['sh', '-c', 'echo x > /data/new']);
    expect(ro.code).not.toBe(0);
    const log = readFileSync(s.log_path, 'utf8');
    expect(log).toMatch(/^\S+ stdout F args:first:second$/m);
  });

  it('returns ExecSync output, stderr and exit code, and enforces the timeout', async () => {
    const r = await exec(sleeperA, ['sh', '-c', 'echo out; echo err >&2; exit 5']);
    expect(r).toEqual({ out: 'out\n', err: 'err\n', code: 5 });
    const started = Date.now();
    await expect(exec(sleeperA, ['sleep', '30'], 1)).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('lets two sandboxes reach each other over the bridge', async () => {
    podB = await runPod('pod-b');
    const web = await runContainer(podB, containerConfig('web', ['httpd', '-f', '-p', '8080', '-h', '/www']));
    expect((await status(web)).state).toBe('CONTAINER_RUNNING');
    const ipB = (await h.client.runtime('PodSandboxStatus', { pod_sandbox_id: podB.id })).status!.network!.ip;
    const ping = await exec(sleeperA, ['ping', '-c', '1', '-W', '3', ipB]);
    expect(ping.code).toBe(0);
    let body = '';
    for (let i = 0; i < 20 && body === ''; i++) {
      body = (await exec(sleeperA, ['wget', '-q', '-O', '-', `http://${ipB}:8080/index.html`])).out;
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe('hello from tkube\n');
  });

  it('reports exit codes, reasons and CRI-format logs', async () => {
    const ok = await runContainer(podA, containerConfig('ok', ['sh', '-c', 'echo done; echo warn >&2']));
    const bad = await runContainer(podA, containerConfig('bad', ['sh', '-c', 'exit 3']));
    const sOk = await waitExited(ok);
    const sBad = await waitExited(bad);
    expect([sOk.state, sOk.exit_code, sOk.reason]).toEqual(['CONTAINER_EXITED', 0, 'Completed']);
    expect([sBad.state, sBad.exit_code, sBad.reason]).toEqual(['CONTAINER_EXITED', 3, 'Error']);
    expect(Number(sOk.finished_at)).toBeGreaterThanOrEqual(Number(sOk.started_at));
    expect(Number(sOk.started_at)).toBeGreaterThan(0);
    const lines = readFileSync(sOk.log_path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) (stdout|stderr) F .*$/);
    expect(lines.some((l) => / stdout F done$/.test(l))).toBe(true);
    expect(lines.some((l) => / stderr F warn$/.test(l))).toBe(true);
  });

  it('gives tty containers a terminal managed by conmon', async () => {
    const c = await runContainer(podA, containerConfig('tty', ['sh', '-c', '[ -t 0 ] && [ -t 1 ] && echo has-a-tty; exit 0'], { tty: true, stdin: true }));
    const s = await waitExited(c);
    expect([s.state, s.exit_code]).toEqual(['CONTAINER_EXITED', 0]);
    expect(readFileSync(s.log_path, 'utf8')).toMatch(/ stdout F has-a-tty\r?$/m);
  });

  it('StopContainer delivers SIGTERM and the container can handle it', async () => {
    const c = await runContainer(podA, containerConfig('graceful', ['sh', '-c', 'trap "echo got-term; exit 7" TERM; echo trap-set; while true; do sleep 0.1; done']));
    await trapSet(c);
    await h.client.runtime('StopContainer', { container_id: c, timeout: 10 });
    const s = await status(c);
    expect([s.state, s.exit_code]).toEqual(['CONTAINER_EXITED', 7]);
    expect(readFileSync(s.log_path, 'utf8')).toMatch(/stdout F got-term$/m);
  });

  it('StopContainer waits the grace period before SIGKILL', async () => {
    const c = await runContainer(podA, containerConfig('stubborn', ['sh', '-c', 'trap "" TERM; echo trap-set; while true; do sleep 0.1; done']));
    await trapSet(c);
    const started = Date.now();
    await h.client.runtime('StopContainer', { container_id: c, timeout: 2 });
    const took = Date.now() - started;
    const s = await status(c);
    expect(took).toBeGreaterThanOrEqual(1900);
    expect([s.state, s.exit_code]).toEqual(['CONTAINER_EXITED', 137]);
  });

  it('reports OOMKilled when the memory limit is exceeded', async () => {
    const limit = 32 * 1024 * 1024;
    const c = await runContainer(
      podA,
      containerConfig('hog', ['sh', '-c', 'a=xxxxxxxxxxxxxxxx; while true; do a="$a$a"; done'], {
        linux: {
          resources: {
            memory_limit_in_bytes: limit,
            memory_swap_limit_in_bytes: limit,
            cpu_period: 100000,
            cpu_quota: 50000,
            cpu_shares: 512,
            oom_score_adj: 0,
            cpuset_cpus: '',
            cpuset_mems: '',
            unified: {},
          },
          security_context: null,
        },
      }),
    );
    const s = await waitExited(c, 30_000);
    expect([s.state, s.reason, s.exit_code]).toEqual(['CONTAINER_EXITED', 'OOMKilled', 137]);
  });

  it('serves Exec over the websocket streaming protocol', async () => {
    const { url } = await h.client.runtime('Exec', { container_id: sleeperA, cmd: ['sh', '-c', 'echo streamed; echo oops >&2; exit 4'], stdout: true, stderr: true });
    const frames = await new Promise<Buffer[]>((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'), ['v5.channel.k8s.io']);
      const got: Buffer[] = [];
      ws.on('message', (d: Buffer) => got.push(Buffer.from(d)));
      ws.on('close', () => resolve(got));
      ws.on('error', reject);
    });
    const text = (ch: number): string => frames.filter((f) => f[0] === ch).map((f) => f.subarray(1).toString()).join('');
    expect(text(1)).toBe('streamed\n');
    expect(text(2)).toBe('oops\n');
    const st = JSON.parse(text(3)) as { status: string; details: { causes: { message: string }[] } };
    expect(st.status).toBe('Failure');
    expect(st.details.causes[0]!.message).toBe('4');
  });

  it('streams stdin to an exec and closes it with the v5 close frame', async () => {
    const { url } = await h.client.runtime('Exec', { container_id: sleeperA, cmd: ['sh', '-c', 'cat; echo end'], stdin: true, stdout: true, stderr: true });
    const frames = await new Promise<Buffer[]>((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'), ['v5.channel.k8s.io']);
      const got: Buffer[] = [];
      ws.on('open', () => {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('line one\n')]));
        ws.send(Buffer.from([255, 0]));
      });
      ws.on('message', (d: Buffer) => got.push(Buffer.from(d)));
      ws.on('close', () => resolve(got));
      ws.on('error', reject);
    });
    const text = (ch: number): string => frames.filter((f) => f[0] === ch).map((f) => f.subarray(1).toString()).join('');
    expect(text(1)).toBe('line one\nend\n');
    expect(JSON.parse(text(3))).toEqual({ metadata: {}, status: 'Success' });
  });

  it('keeps containers running across kill -9 of the runtime and recovers them', async () => {
    const before = await h.client.runtime('ListContainers', { filter: null });
    const beforeIds = new Set(before.containers.map((c) => c.id));
    const pods = await h.client.runtime('ListPodSandbox', { filter: null });
    // /proc/1/stat inside the container: pid 1's identity including its start time.
    const initBefore = (await exec(sleeperA, ['cat', '/proc/1/stat'])).out;
    expect(initBefore).toMatch(/^1 \(sleep\)/);
    // This one exits while the runtime is down; conmon still records its exit code.
    const late = await runContainer(podA, containerConfig('late', ['sh', '-c', 'sleep 1; exit 6']));
    h.killRuntime();
    await new Promise((r) => setTimeout(r, 1500));
    await h.startRuntime();
    const lateStatus = await status(late);
    expect([lateStatus.state, lateStatus.exit_code, lateStatus.reason]).toEqual(['CONTAINER_EXITED', 6, 'Error']);
    await h.client.runtime('RemoveContainer', { container_id: late });
    const after = await h.client.runtime('ListContainers', { filter: null });
    after.containers = after.containers.filter((c) => beforeIds.has(c.id));
    const key = (l: typeof before.containers) => l.map((c) => `${c.id}:${c.state}`).sort();
    expect(key(after.containers)).toEqual(key(before.containers));
    expect(after.containers.find((c) => c.id === sleeperA)?.state).toBe('CONTAINER_RUNNING');
    const podsAfter = await h.client.runtime('ListPodSandbox', { filter: null });
    expect(podsAfter.items.map((p) => `${p.id}:${p.state}`).sort()).toEqual(pods.items.map((p) => `${p.id}:${p.state}`).sort());
    expect((await exec(sleeperA, ['cat', '/data/file'])).out).toBe('mounted-content\n');
    // The very same container processes survived (not restarted).
    expect((await exec(sleeperA, ['cat', '/proc/1/stat'])).out.split(' ')[21]).toBe(initBefore.split(' ')[21]);
  });

  it('removes sandboxes completely', async () => {
    // The leftover probes see the live pods' resources, so "empty" below means removed.
    const live = leftovers(h);
    for (const k of ['stateFiles', 'netns', 'veths', 'ipAllocations', 'mounts', 'cgroups', 'runcState', 'conmon'] as const) {
      expect(live[k]!.length, k).toBeGreaterThan(0);
    }
    await removePod(podA.id);
    await removePod(podB.id);
    expect((await h.client.runtime('ListPodSandbox', { filter: null })).items).toEqual([]);
    expect((await h.client.runtime('ListContainers', { filter: null })).containers).toEqual([]);
    expect(leftovers(h)).toEqual({ stateFiles: [], netns: [], veths: [], ipAllocations: [], mounts: [], cgroups: [], runcState: [], conmon: [] });
  });

  it('leaves nothing behind after 20 cycles of two concurrent pod create/delete', async () => {
    // Two pods at a time, so concurrent sandbox setup/teardown is exercised too.
    for (let i = 0; i < 20; i++) {
      await Promise.all(
        ['x', 'y'].map(async (s) => {
          const pod = await runPod(`cycle-${i}-${s}`);
          const c = await runContainer(pod, containerConfig('c', ['sleep', '3600']));
          expect((await status(c)).state).toBe('CONTAINER_RUNNING');
          await removePod(pod.id);
        }),
      );
    }
    expect(leftovers(h)).toEqual({ stateFiles: [], netns: [], veths: [], ipAllocations: [], mounts: [], cgroups: [], runcState: [], conmon: [] });
    expect(existsSync(path.join(h.stateDir, 'pods'))).toBe(true);
  }, 300_000);
});
