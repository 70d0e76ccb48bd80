// The runtime on the real image store: tkube's pause and busybox images built by
// deploy/images/build.sh and imported from their OCI archives.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerConfig, PodSandboxConfig } from '../../runtime/cri/types.js';
import { createHarness, leftovers, type Harness } from './harness.js';

let h: Harness;
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

beforeAll(async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'tkube-test-archives-'));
  execFileSync('bash', [path.join(REPO, 'deploy/images/build.sh'), out], { stdio: 'pipe' });
  h = await createHarness({ archives: [path.join(out, 'pause.tar'), path.join(out, 'busybox.tar')], pauseImage: 'tkube/pause:3.10' });
  h.extraDirs.push(out);
  await h.startRuntime();
}, 180_000);

afterAll(async () => {
  await h?.cleanup();
}, 120_000);

describe('CRI runtime with imported OCI images', () => {
  it('runs a pod from the tkube pause and busybox images', async () => {
    const { images } = await h.client.image('ListImages', {});
    expect(images.flatMap((i) => i.repo_tags).join(' ')).toMatch(/tkube\/busybox:1\.36/);
    const fsInfo = await h.client.image('ImageFsInfo', {});
    expect(fsInfo.image_filesystems).toHaveLength(1);

    const pod = {
      metadata: { name: 'img-pod', uid: 'u-img', namespace: 'default', attempt: 0 },
      hostname: 'img-pod',
      log_directory: path.join(h.logDir, 'img-pod'),
    } as PodSandboxConfig;
    const { pod_sandbox_id } = await h.client.runtime('RunPodSandbox', { config: pod });
    // The image has Cmd ["sh"] and no Entrypoint: command replaces both.
    const cfg = {
      metadata: { name: 'bb', attempt: 0 },
      image: { image: 'tkube/busybox:1.36' },
      command: ['sh', '-c'],
      args: ['echo from-image-cmd; exec sleep 3600'],
      log_path: 'bb.log',
    } as ContainerConfig;
    const { container_id } = await h.client.runtime('CreateContainer', { pod_sandbox_id, config: cfg, sandbox_config: pod });
    await h.client.runtime('StartContainer', { container_id });
    const st = (await h.client.runtime('ContainerStatus', { container_id })).status!;
    expect(st.state).toBe('CONTAINER_RUNNING');
    expect(st.image_id).toMatch(/^sha256:/);
    const r = await h.client.runtime('ExecSync', { container_id, cmd: ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; hostname'], timeout: 10 });
    expect(r.stdout.toString()).toBe('sleep 3600 img-pod\n');
    // The container's writes go to its own upper dir, not to the shared image layer.
    await h.client.runtime('ExecSync', { container_id, cmd: ['sh', '-c', 'echo x > /bin/written'], timeout: 10 });
    const { container_id: second } = await h.client.runtime('CreateContainer', {
      pod_sandbox_id,
      config: { ...cfg, metadata: { name: 'bb2', attempt: 0 }, args: ['exec sleep 3600'], log_path: 'bb2.log' } as ContainerConfig,
      sandbox_config: pod,
    });
    await h.client.runtime('StartContainer', { container_id: second });
    const ls = await h.client.runtime('ExecSync', { container_id: second, cmd: ['ls', '/bin/written'], timeout: 10 });
    expect(ls.exit_code).not.toBe(0);

    await h.client.runtime('StopPodSandbox', { pod_sandbox_id });
    await h.client.runtime('RemovePodSandbox', { pod_sandbox_id });
    expect(leftovers(h)).toEqual({ stateFiles: [], netns: [], veths: [], ipAllocations: [], mounts: [], cgroups: [], runcState: [], conmon: [] });
  });
});
