// Done-means 4 of the runtime: 100 pod create/delete cycles through CRI, each the way
// the kubelet does it (sandbox, one container started, container stopped and removed,
// sandbox stopped and removed), leave nothing behind on the host or in the runtime.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ContainerConfig, PodSandboxConfig } from '../../runtime/cri/types.js';
import { waitFor } from '../helpers/wait.js';
import { createHarness, leftovers, type Harness } from './harness.js';

const CYCLES = 100;
/**
 * Pods in flight at once. Sequential fits the ~90 s budget (33 s at load average 3.4 on
 * 2 cores); concurrent create/delete is covered by cri-runtime.test.ts.
 */
const IN_FLIGHT = 1;
const NOTHING = { stateFiles: [], netns: [], veths: [], ipAllocations: [], mounts: [], cgroups: [], runcState: [], conmon: [] };

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.startRuntime();
}, 180_000);

afterAll(async () => {
  await h?.cleanup();
}, 120_000);

const openFds = (): number => readdirSync(`/proc/${h.child.pid!}/fd`).length;

async function cycle(n: number): Promise<void> {
  const config = {
    metadata: { name: `cycle-${n}`, uid: `uid-cycle-${n}`, namespace: 'default', attempt: 0 },
    hostname: `cycle-${n}`,
    log_directory: path.join(h.logDir, `cycle-${n}`),
    labels: { 'tkube-test': h.tag },
  } as Partial<PodSandboxConfig> as PodSandboxConfig;
  const { pod_sandbox_id: pod } = await h.client.runtime('RunPodSandbox', { config });
  const cfg: Partial<ContainerConfig> = {
    metadata: { name: 'main', attempt: 0 },
    image: { image: 'tkube-test/busybox:latest', annotations: {} },
    // Exits on SIGTERM, so StopContainer takes the graceful path. The shell is the
    // container's PID 1, which the kernel spares signals it has no handler for: it says
    // "ready" once its trap is set, and the test stops it only after that.
    command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & echo ready; wait'],
    log_path: 'main/0.log',
  };
  const { container_id: ctr } = await h.client.runtime('CreateContainer', { pod_sandbox_id: pod, config: cfg as ContainerConfig, sandbox_config: config });
  await h.client.runtime('StartContainer', { container_id: ctr });
  const running = await h.client.runtime('ContainerStatus', { container_id: ctr });
  expect(running.status!.state).toBe('CONTAINER_RUNNING');
  const sandbox = await h.client.runtime('PodSandboxStatus', { pod_sandbox_id: pod });
  expect(sandbox.status!.network!.ip).toMatch(/^10\./);

  await waitFor(`cycle-${n}'s shell to set its trap`, () => readFileSync(path.join(config.log_directory, 'main/0.log'), 'utf8').includes('ready'), 10_000, 10);
  await h.client.runtime('StopContainer', { container_id: ctr, timeout: 10 });
  const stopped = await h.client.runtime('ContainerStatus', { container_id: ctr });
  expect([stopped.status!.state, stopped.status!.exit_code]).toEqual(['CONTAINER_EXITED', 0]);
  await h.client.runtime('RemoveContainer', { container_id: ctr });
  await h.client.runtime('StopPodSandbox', { pod_sandbox_id: pod });
  await h.client.runtime('RemovePodSandbox', { pod_sandbox_id: pod });
}

it(`leaves nothing behind after ${CYCLES} pod create/delete cycles`, async () => {
  await cycle(-1); // warm-up: first-use directories and lazily loaded code
  expect(leftovers(h)).toEqual(NOTHING);
  const fdsBefore = openFds();

  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < CYCLES) await cycle(next++);
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`${CYCLES} cycles, ${IN_FLIGHT} in flight: ${seconds.toFixed(1)} s\n`);

  expect((await h.client.runtime('ListPodSandbox', { filter: null })).items).toEqual([]);
  expect((await h.client.runtime('ListContainers', { filter: null })).containers).toEqual([]);
  expect(leftovers(h)).toEqual(NOTHING);
  // Nor inside the runtime: its descriptors (sockets, pipes, watchers) do not grow with pods.
  expect(openFds()).toBeLessThanOrEqual(fdsBefore + 5);
  // Only a pathological slowdown (e.g. stops waiting out grace periods) fails this on a loaded machine.
  expect(seconds).toBeLessThan(240);
}, 400_000);
