// Features the main runtime test does not cover:
// hostNetwork, users and security context, attach,
// port-forward, resource updates and the image service.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ContainerConfig, PodSandboxConfig } from '../../runtime/cri/types.js';
import { createHarness, leftovers, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startRuntime();
}, 180_000);

afterAll(async () => {
  await h?.cleanup();
}, 120_000);

function podConfig(name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return {
    metadata: { name, uid: `uid-${name}`, namespace: 'ns1', attempt: 0 },
    hostname: name,
    log_directory: path.join(h.logDir, name),
    labels: {},
    ...extra,
  } as PodSandboxConfig;
}

function ctr(name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: { image: 'tkube-test/busybox:latest', annotations: {} }, command, log_path: `${name}.log`, ...extra } as ContainerConfig;
}

async function start(podId: string, pod: PodSandboxConfig, cfg: ContainerConfig): Promise<string> {
  const { container_id } = await h.client.runtime('CreateContainer', { pod_sandbox_id: podId, config: cfg, sandbox_config: pod });
  await h.client.runtime('StartContainer', { container_id });
  return container_id;
}

async function exec(id: string, cmd: string[]): Promise<{ out: string; code: number }> {
  const r = await h.client.runtime('ExecSync', { container_id: id, cmd, timeout: 10 });
  return { out: r.stdout.toString(), code: r.exit_code };
}

function wsFrames(url: string, protocol: string, onOpen?: (ws: WebSocket) => void, until?: (frames: Buffer[]) => boolean): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), [protocol]);
    const got: Buffer[] = [];
    ws.on('open', () => onOpen?.(ws));
    ws.on('message', (d: Buffer) => {
      got.push(Buffer.from(d));
      if (until?.(got)) ws.close();
    });
    ws.on('close', () => resolve(got));
    ws.on('error', reject);
  });
}

describe('CRI runtime: security context, streaming, hostNetwork, images', () => {
  const pod = (): PodSandboxConfig => podConfig('pod-c');
  let podId = '';
  let main = '';

  it('lists the images of the store', async () => {
    const { images } = await h.client.image('ListImages', {});
    expect(images.map((i) => i.repo_tags[0]).sort()).toEqual(['tkube-test/busybox:latest', 'tkube-test/pause:latest']);
    const st = await h.client.image('ImageStatus', { image: { image: 'tkube-test/busybox:latest', annotations: {} } });
    expect(st.image?.id).toMatch(/^sha256:/);
    const none = await h.client.image('ImageStatus', { image: { image: 'tkube-test/absent:1', annotations: {} } });
    expect(none.image).toBeNull();
  });

  it('applies user, group, readonly rootfs and capabilities from the security context', async () => {
    ({ pod_sandbox_id: podId } = await h.client.runtime('RunPodSandbox', { config: pod() }));
    main = await start(
      podId,
      pod(),
      ctr('main', ['sh', '-c', 'echo ready; exec httpd -f -p 8081 -h /www'], {
        linux: {
          resources: null,
          security_context: {
            run_as_username: 'tk',
            readonly_rootfs: true,
            capabilities: { add_capabilities: ['NET_BIND_SERVICE'], drop_capabilities: ['ALL'], add_ambient_capabilities: [] },
          },
        } as unknown as ContainerConfig['linux'],
      }),
    );
    expect((await exec(main, ['id'])).out.trim()).toBe('uid=1000(tk) gid=1000(tk) groups=1000(tk),2000(extra)');
    expect((await exec(main, ['touch', '/newfile'])).code).not.toBe(0);
    const capBnd = /CapBnd:\s+([0-9a-f]+)/.exec((await exec(main, ['cat', '/proc/1/status'])).out)?.[1];
    expect(BigInt(`0x${capBnd}`)).toBe(1n << 10n); // only CAP_NET_BIND_SERVICE
    expect((await exec(main, ['cat', '/etc/hostname'])).out).toBe('pod-c\n');
  });

  it('updates container resources in place', async () => {
    await h.client.runtime('UpdateContainerResources', {
      container_id: main,
      linux: { cpu_period: 0, cpu_quota: 0, cpu_shares: 0, memory_limit_in_bytes: 64 * 1024 * 1024, oom_score_adj: 0, cpuset_cpus: '', cpuset_mems: '', unified: {}, memory_swap_limit_in_bytes: 0 },
    });
    const cg = readFileSync(`/proc/${execFileSync('sh', ['-c', `ps -eo pid,args | awk '/httpd -f -p 8081/ && !/awk/ {print $1}' | head -1`]).toString().trim()}/cgroup`, 'utf8');
    const memPath = /:memory:(.*)$/m.exec(cg)?.[1] ?? /^0::(.*)$/m.exec(cg)?.[1];
    const file = cg.includes(':memory:') ? `/sys/fs/cgroup/memory${memPath}/memory.limit_in_bytes` : `/sys/fs/cgroup${memPath}/memory.max`;
    expect(readFileSync(file, 'utf8').trim()).toBe(String(64 * 1024 * 1024));
  });

  it('attaches to the output of a running container', async () => {
    const ticker = await start(podId, pod(), ctr('ticker', ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.1; done']));
    const { url } = await h.client.runtime('Attach', { container_id: ticker, stdout: true, stderr: true });
    const frames = await wsFrames(url, 'v5.channel.k8s.io', undefined, (f) => f.filter((x) => x[0] === 1).length >= 3);
    const out = frames.filter((f) => f[0] === 1).map((f) => f.subarray(1).toString()).join('');
    expect(out).toMatch(/^tick-\d+\ntick-\d+\ntick-\d+\n/);
  });

  it('shares /dev/shm between the containers of a pod and reopens rotated logs', async () => {
    const ticker = (await h.client.runtime('ListContainers', { filter: { id: '', state: null, pod_sandbox_id: podId, label_selector: {} } })).containers.find(
      (c) => c.metadata?.name === 'ticker',
    )!.id;
    expect((await exec(main, ['sh', '-c', 'echo shared > /dev/shm/x'])).code).toBe(0);
    expect((await exec(ticker, ['cat', '/dev/shm/x'])).out).toBe('shared\n');

    const logPath = (await h.client.runtime('ContainerStatus', { container_id: ticker })).status!.log_path;
    execFileSync('mv', [logPath, `${logPath}.1`]);
    await h.client.runtime('ReopenContainerLog', { container_id: ticker });
    await new Promise((r) => setTimeout(r, 500));
    expect(readFileSync(logPath, 'utf8')).toMatch(/^\S+ stdout F tick-\d+$/m);
  });

  it('forwards a port into the pod network namespace', async () => {
    const { url } = await h.client.runtime('PortForward', { pod_sandbox_id: podId, port: [8081] });
    const frames = await wsFrames(
      url,
      'v4.channel.k8s.io',
      (ws) => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET /index.html HTTP/1.0\r\n\r\n')])),
      (f) => f.filter((x) => x[0] === 0).map((x) => x.subarray(1).toString()).join('').includes('hello from tkube'),
    );
    const data = frames.filter((f) => f[0] === 0);
    expect(data[0]!.readUInt16LE(1)).toBe(8081);
    expect(data.slice(1).map((x) => x.subarray(1).toString()).join('')).toMatch(/200 OK[\s\S]*hello from tkube/);
  });

  it('runs hostNetwork pods in the node network namespace without CNI', async () => {
    const cfg = podConfig('pod-host', {
      linux: { cgroup_parent: '', security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD', target_id: '' } }, sysctls: {} },
    } as Partial<PodSandboxConfig>);
    const { pod_sandbox_id } = await h.client.runtime('RunPodSandbox', { config: cfg });
    const st = await h.client.runtime('PodSandboxStatus', { pod_sandbox_id });
    expect(st.status!.network!.ip).toBe('');
    expect(st.status!.linux!.namespaces!.options!.network).toBe('NODE');
    const c = await start(pod_sandbox_id, cfg, ctr('h', ['sleep', '3600']));
    expect((await exec(c, ['hostname'])).out.trim()).toBe(os.hostname());
    const hostNs = execFileSync('readlink', ['/proc/self/ns/net']).toString().trim();
    expect((await exec(c, ['readlink', '/proc/self/ns/net'])).out.trim()).toBe(hostNs);
    await h.client.runtime('StopPodSandbox', { pod_sandbox_id });
    await h.client.runtime('RemovePodSandbox', { pod_sandbox_id });
  });

  it('puts containers under the cgroup parent the kubelet gives and leaves that parent to it', async () => {
    const parent = `/${h.prefix.replace(/-+$/, '')}/kubepods/pod-uid-cg`;
    const cfg = podConfig('pod-cg', { linux: { cgroup_parent: parent, security_context: null, sysctls: {} } } as Partial<PodSandboxConfig>);
    const { pod_sandbox_id } = await h.client.runtime('RunPodSandbox', { config: cfg });
    const c = await start(
      pod_sandbox_id,
      cfg,
      ctr('cg', ['sleep', '3600'], {
        linux: {
          resources: { cpu_period: 100000, cpu_quota: 25000, cpu_shares: 256, memory_limit_in_bytes: 48 * 1024 * 1024 },
          security_context: null,
        } as unknown as ContainerConfig['linux'],
      }),
    );
    const info = (await h.client.runtime('ContainerStatus', { container_id: c, verbose: true })).info;
    const pid = (JSON.parse(info.info ?? '{}') as { pid?: number }).pid;
    const hostCg = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    const v1 = hostCg.includes(':memory:');
    expect(hostCg).toContain(`${parent}/`);
    const cpuDir = v1 ? `/sys/fs/cgroup/cpu${/^\d+:(?:[^:]*,)?cpu(?:,[^:]*)?:(.*)$/m.exec(hostCg)![1]}` : `/sys/fs/cgroup${/^0::(.*)$/m.exec(hostCg)![1]}`;
    if (v1) {
      expect(readFileSync(`${cpuDir}/cpu.cfs_quota_us`, 'utf8').trim()).toBe('25000');
      expect(readFileSync(`${cpuDir}/cpu.shares`, 'utf8').trim()).toBe('256');
    } else {
      expect(readFileSync(`${cpuDir}/cpu.max`, 'utf8').trim()).toBe('25000 100000');
    }
    await h.client.runtime('StopPodSandbox', { pod_sandbox_id });
    await h.client.runtime('RemovePodSandbox', { pod_sandbox_id });
    const parentDir = v1 ? `/sys/fs/cgroup/memory${parent}` : `/sys/fs/cgroup${parent}`;
    expect(execFileSync('find', [parentDir, '-mindepth', '1', '-type', 'd']).toString()).toBe('');
    // The parent belongs to the kubelet: the test removes it, as the kubelet would.
    for (const ctl of readdirSync('/sys/fs/cgroup')) {
      for (const rel of [parent, path.dirname(parent)]) {
        if (existsSync(`/sys/fs/cgroup/${ctl}${rel}`)) rmdirSync(`/sys/fs/cgroup/${ctl}${rel}`);
      }
    }
  });

  it('cleans up everything on removal', async () => {
    await h.client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
    expect((await h.client.runtime('PodSandboxStatus', { pod_sandbox_id: podId })).status!.state).toBe('SANDBOX_NOTREADY');
    await h.client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
    await h.client.runtime('RemovePodSandbox', { pod_sandbox_id: podId }); // idempotent
    await expect(h.client.runtime('PodSandboxStatus', { pod_sandbox_id: podId })).rejects.toThrow(/NOT_FOUND/);
    expect(leftovers(h)).toEqual({ stateFiles: [], netns: [], veths: [], ipAllocations: [], mounts: [], cgroups: [], runcState: [], conmon: [] });
  });
});
