// The kubelet end to end: a real control plane (etcd + apiserver), a real runtime
// (runc + conmon + reference CNI plugins, via the runtime test harness) and the
// kubelet in this process; kubectl drives it through the apiserver.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { leases, nodes, pods } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import type { Kubelet } from '../../kubelet/kubelet.js';
import type { TestControlPlane } from '../helpers/control-plane.js';
import type { Harness } from '../runtime/harness.js';
import { BUSYBOX, createNodeEnv, podObject, waitFor, type NodeEnv } from './node-env.js';

let env: NodeEnv;
let cp: TestControlPlane;
let h: Harness;
let kubelet: Kubelet | undefined;
let nodeName: string;
let rootDir: string;
let logsDir: string;

const newKubelet = (): Promise<Kubelet> => env.startKubelet();
const podSpec = (name: string, command: string[], extra: Record<string, unknown> = {}): Pod => podObject(nodeName, name, command, extra);

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function podContainers(uid: string): Promise<string[]> {
  const { containers } = await h.client.runtime('ListContainers', { filter: { id: '', state: null, pod_sandbox_id: '', label_selector: { 'io.kubernetes.pod.uid': uid } } });
  return containers.map((c) => c.id).sort();
}

// On SIGTERM the container logs it and lingers a second before exiting, so the line is in
// the followed log while the container still runs (not racing the pod's teardown). It says
// "started" only once its trap is set: as PID 1 it would ignore an earlier SIGTERM.
const WEB = ['sh', '-c', 'trap "echo got SIGTERM; sleep 1; exit 0" TERM; echo started; httpd -f -p 8080 -h /www & wait'];

beforeAll(async () => {
  env = await createNodeEnv();
  ({ cp, h, nodeName, rootDir, logsDir } = env);
  kubelet = await newKubelet();
}, 180_000);

afterAll(async () => {
  await env?.stop();
}, 120_000);

describe('kubelet', () => {
  it('registers its Node with capacity, conditions, labels and a Lease', async () => {
    const node = await cp.client.resource(nodes).get(nodeName);
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'tkube-test': 'yes' });
    expect(node.status?.capacity?.pods).toBe('110');
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.32.0-tkube');
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^tkube:\/\//);
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(kubelet!.port);
    expect(node.status?.images?.some((i) => i.names?.includes(BUSYBOX))).toBe(true);
    const lease = await cp.client.resource(leases, 'kube-node-lease').get(nodeName);
    expect(lease.spec.holderIdentity).toBe(nodeName);
    const conf = JSON.parse(readFileSync(path.join(h.dir, 'kubelet-net.d', '10-tkube.conflist'), 'utf8')) as { plugins: { type: string }[] };
    expect(conf.plugins.map((p) => p.type)).toEqual(['bridge', 'portmap', 'loopback']);
  });

  it('runs a pod to Running and Ready with an IP that serves HTTP; logs and exec go through the apiserver', async () => {
    await cp.client.resource(pods, 'default').create(podSpec('web', WEB, { terminationGracePeriodSeconds: 10 }));
    const pod = await waitFor('web Running and Ready', async () => {
      const p = await cp.client.resource(pods, 'default').get('web');
      return p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    expect(pod.status?.podIP).toMatch(/^10\./);
    expect(pod.status?.hostIP).toBe('127.0.0.1');
    expect(pod.status?.qosClass).toBe('BestEffort');
    const cs = pod.status?.containerStatuses?.[0];
    expect(cs?.state?.running).toBeDefined();
    expect(cs?.containerID).toMatch(/^tkube:\/\/[0-9a-f]+/);
    expect(cs?.restartCount).toBe(0);
    expect(await waitFor('http', () => httpGet(`http://${pod.status!.podIP}:8080/index.html`))).toBe('hello from tkube\n');
    // Status is written only when it changes: a quiet pod keeps its resourceVersion across resyncs and relists.
    const rv = (await cp.client.resource(pods, 'default').get('web')).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 3500));
    expect((await cp.client.resource(pods, 'default').get('web')).metadata.resourceVersion).toBe(rv);

    const logs = await cp.kubectl(['logs', 'web']);
    expect(logs.stdout).toBe('started\n');
    const err = await cp.kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3']).then(() => undefined, (e: { stderr?: string }) => e);
    expect(err?.stderr).toContain('command terminated with exit code 3');
    const ok = await cp.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; hostname']);
    expect(ok.stdout).toBe('out\nweb\n');
    expect(ok.stderr).toContain('err');
  }, 90_000);

  it('shows restarts and CrashLoopBackOff for a crashing container', async () => {
    await cp.client.resource(pods, 'default').create(podSpec('crash', ['sh', '-c', 'echo crashing; exit 1']));
    const pod = await waitFor('CrashLoopBackOff', async () => {
      const p = await cp.client.resource(pods, 'default').get('crash');
      const cs = p.status?.containerStatuses?.[0];
      return cs && cs.restartCount >= 1 && cs.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    });
    const cs = pod.status!.containerStatuses![0]!;
    expect(cs.lastState?.terminated?.exitCode).toBe(1);
    expect(cs.lastState?.terminated?.reason).toBe('Error');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    const prev = await cp.kubectl(['logs', 'crash', '--previous']);
    expect(prev.stdout).toBe('crashing\n');
    await cp.client.resource(pods, 'default').delete('crash', { gracePeriodSeconds: 1 });
  }, 60_000);

  it('adopts running containers after a restart: same restartCount, no duplicates', async () => {
    const before = await cp.client.resource(pods, 'default').get('web');
    const uid = before.metadata.uid!;
    const idsBefore = await podContainers(uid);
    await kubelet!.stop();
    kubelet = await newKubelet();
    await new Promise((r) => setTimeout(r, 4000));
    const after = await cp.client.resource(pods, 'default').get('web');
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    expect(after.status?.containerStatuses?.[0]?.containerID).toBe(before.status?.containerStatuses?.[0]?.containerID);
    expect(await podContainers(uid)).toEqual(idsBefore);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const { items } = await h.client.runtime('ListPodSandbox', { filter: { id: '', state: null, label_selector: { 'io.kubernetes.pod.uid': uid } } });
    expect(items).toHaveLength(1);
  }, 60_000);

  it('survives a runtime kill -9: the kubelet reconnects, restarts nothing, duplicates nothing', async () => {
    const before = await cp.client.resource(pods, 'default').get('web');
    const uid = before.metadata.uid!;
    const idsBefore = await podContainers(uid);
    h.killRuntime();
    await new Promise((r) => setTimeout(r, 1500));
    await h.startRuntime();
    await new Promise((r) => setTimeout(r, 4000));
    const after = await cp.client.resource(pods, 'default').get('web');
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    expect(after.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    expect(await podContainers(uid)).toEqual(idsBefore);
    expect((await cp.kubectl(['exec', 'web', '--', 'echo', 'still here'])).stdout).toBe('still here\n');
  }, 60_000);

  it('deleting a pod sends SIGTERM and the pod is gone within its grace period', async () => {
    const pod = await cp.client.resource(pods, 'default').get('web');
    // Follow the logs through the apiserver to see the container's last words.
    const follower = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, 'logs', '-f', 'web'], { env: { ...process.env, HOME: cp.dir } });
    let followed = '';
    follower.stdout.on('data', (b: Buffer) => (followed += b.toString()));
    try {
      await waitFor('follow started', async () => followed.includes('started'), 10_000);
      const t0 = Date.now();
      await cp.client.resource(pods, 'default').delete('web');
      await waitFor('web gone', async () => {
        try {
          await cp.client.resource(pods, 'default').get('web');
          return undefined;
        } catch (err) {
          return isApiError(err, 'NotFound') ? true : undefined;
        }
      }, 15_000);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await waitFor('SIGTERM in the logs', async () => followed.includes('got SIGTERM'), 5_000);
    } finally {
      follower.kill('SIGKILL');
    }
    expect(await podContainers(pod.metadata.uid!)).toEqual([]);
    expect(existsSync(path.join(rootDir, 'pods', pod.metadata.uid!))).toBe(false);
    expect(existsSync(path.join(logsDir, `default_web_${pod.metadata.uid}`))).toBe(false);
  }, 30_000);
});
