import { describe, expect, it } from 'vitest';
import { CriClient, isNotFound } from '../cri-client.js';
import { FakeCri } from './fake-cri.js';
import { hollowPodIP } from './hollow-nodes.js';

function client(opts: { startDelayMs?: number; stopDelayMs?: number } = {}) {
  let n = 0;
  const fake = new FakeCri({ ...opts, allocateIP: () => hollowPodIP(n++) });
  return { fake, cri: new CriClient({ endpoint: 'in-process', inProcess: fake.services() }) };
}

const sandboxConfig = (uid: string) => ({
  metadata: { name: 'p', uid, namespace: 'default', attempt: 0 },
  hostname: 'p', log_directory: '', dns_config: null, port_mappings: [],
  labels: { 'io.kubernetes.pod.uid': uid }, annotations: {}, linux: null,
});

describe('FakeCri through CriClient', () => {
  it('runs a sandbox and a container through their states, with the start delay', async () => {
    const { fake, cri } = client({ startDelayMs: 50 });
    const { pod_sandbox_id } = await cri.runtime('RunPodSandbox', { config: sandboxConfig('u1'), runtime_handler: '' });
    const st = await cri.runtime('PodSandboxStatus', { pod_sandbox_id, verbose: false });
    expect(st.status?.state).toBe('SANDBOX_READY');
    expect(st.status?.network?.ip).toBe('10.128.0.1');

    const { container_id } = await cri.runtime('CreateContainer', {
      pod_sandbox_id,
      config: { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox', annotations: {} }, labels: { 'io.kubernetes.pod.uid': 'u1' } } as never,
      sandbox_config: null,
    });
    expect((await cri.runtime('ContainerStatus', { container_id, verbose: false })).status?.state).toBe('CONTAINER_CREATED');
    const t0 = Date.now();
    await cri.runtime('StartContainer', { container_id });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    const running = (await cri.runtime('ContainerStatus', { container_id, verbose: false })).status!;
    expect(running.state).toBe('CONTAINER_RUNNING');
    expect(BigInt(running.started_at)).toBeGreaterThan(0n);
    expect(fake.counts).toEqual({ sandboxes: 1, containers: 1, running: 1 });

    const byLabel = await cri.runtime('ListContainers', { filter: { id: '', state: null, pod_sandbox_id: '', label_selector: { 'io.kubernetes.pod.uid': 'u1' } } });
    expect(byLabel.containers.map((c) => c.id)).toEqual([container_id]);
    const other = await cri.runtime('ListPodSandbox', { filter: { id: '', state: null, label_selector: { 'io.kubernetes.pod.uid': 'u2' } } });
    expect(other.items).toEqual([]);

    expect((await cri.runtime('ExecSync', { container_id, cmd: ['true'], timeout: 1 })).exit_code).toBe(0);
    await cri.runtime('StopContainer', { container_id, timeout: 30 });
    const exited = (await cri.runtime('ContainerStatus', { container_id, verbose: false })).status!;
    expect(exited.state).toBe('CONTAINER_EXITED');
    expect(exited.exit_code).toBe(137);

    await cri.runtime('StopPodSandbox', { pod_sandbox_id });
    expect((await cri.runtime('ListPodSandbox', { filter: null })).items[0]?.state).toBe('SANDBOX_NOTREADY');
    await cri.runtime('RemovePodSandbox', { pod_sandbox_id });
    expect(fake.counts).toEqual({ sandboxes: 0, containers: 0, running: 0 });
  });

  it('answers NOT_FOUND for unknown ids and UNIMPLEMENTED for methods it lacks', async () => {
    const { cri } = client();
    const err = await cri.runtime('ContainerStatus', { container_id: 'nope', verbose: false }).catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
    await expect(cri.runtime('PortForward', { pod_sandbox_id: 'x', port: [80] })).rejects.toThrow(/UNIMPLEMENTED/);
  });

  it('has every image and caps the stop delay by the grace period', async () => {
    const { cri } = client({ stopDelayMs: 5_000 });
    const img = await cri.image('ImageStatus', { image: { image: 'nginx:1', annotations: {} }, verbose: false });
    expect(img.image?.repo_tags).toEqual(['nginx:1']);
    const { pod_sandbox_id } = await cri.runtime('RunPodSandbox', { config: sandboxConfig('u3'), runtime_handler: '' });
    const { container_id } = await cri.runtime('CreateContainer', {
      pod_sandbox_id, config: { metadata: { name: 'c', attempt: 0 }, labels: {} } as never, sandbox_config: null,
    });
    await cri.runtime('StartContainer', { container_id });
    const t0 = Date.now();
    await cri.runtime('StopContainer', { container_id, timeout: 0 });
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
