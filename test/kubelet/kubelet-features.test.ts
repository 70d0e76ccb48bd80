// Kubelet features on real containers: volumes and env from ConfigMaps/Secrets/the
// downward API, init containers, restartPolicy Never, probes, and `kubectl logs -f`.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMaps, events, pods, secrets } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import { BUSYBOX, createNodeEnv, podObject, waitFor, type NodeEnv } from './node-env.js';

let env: NodeEnv;
const podsApi = () => env.cp.client.resource(pods, 'default');
const getPod = (name: string) => podsApi().get(name);

beforeAll(async () => {
  env = await createNodeEnv();
  await env.startKubelet();
}, 180_000);

afterAll(async () => {
  await env?.stop();
}, 120_000);

async function exec(pod: string, cmd: string): Promise<string> {
  return (await env.cp.kubectl(['exec', pod, '--', 'sh', '-c', cmd])).stdout;
}

async function running(name: string): Promise<Pod> {
  return waitFor(`${name} Running`, async () => {
    const p = await getPod(name);
    return p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.state?.running) ? p : undefined;
  });
}

describe('kubelet features', () => {
  it('mounts configMap, secret, emptyDir (Memory), downwardAPI volumes and sets env from them; updates reach the files', async () => {
    await env.cp.client.resource(configMaps, 'default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'app.conf': 'color=blue\n', greeting: 'hello' } } as never);
    await env.cp.client.resource(secrets, 'default').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { password: Buffer.from('s3cret').toString('base64') } } as never);
    await podsApi().create(podObject(env.nodeName, 'vols', ['sleep', '3600'], {
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
        { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
        { name: 'mem', emptyDir: { medium: 'Memory' } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
      ],
      containers: [{
        name: 'main', image: BUSYBOX, command: ['sleep', '3600'],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'sec', mountPath: '/etc/sec' }, { name: 'mem', mountPath: '/scratch' }, { name: 'info', mountPath: '/etc/info' }],
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
          { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'COMBINED', value: '$(GREETING)-$(MY_POD)' },
        ],
      }],
    }));
    await running('vols');
    expect(await exec('vols', 'cat /etc/cfg/conf/app.conf; cat /etc/sec/password; echo; cat /etc/info/name; echo')).toBe('color=blue\ns3cret\nvols\n');
    expect(await exec('vols', 'stat -L -c %a /etc/sec/password; grep " /scratch " /proc/mounts | cut -d" " -f3')).toBe('400\ntmpfs\n');
    expect(await exec('vols', 'echo $GREETING $PASSWORD $MY_POD $COMBINED')).toBe('hello s3cret vols hello-vols\n');
    const cm = await env.cp.client.resource(configMaps, 'default').get('cfg');
    await env.cp.client.resource(configMaps, 'default').update({ ...cm, data: { ...cm.data, 'app.conf': 'color=red\n' } });
    await waitFor('configMap update in the file', async () => (await exec('vols', 'cat /etc/cfg/conf/app.conf')) === 'color=red\n', 20_000);
  }, 90_000);

  it('runs init containers in order before the app, and a Never pod to Succeeded', async () => {
    await podsApi().create(podObject(env.nodeName, 'init', ['sh', '-c', 'cat /work/order; exit 0'], {
      restartPolicy: 'Never',
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        { name: 'first', image: BUSYBOX, command: ['sh', '-c', 'echo first >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        { name: 'second', image: BUSYBOX, command: ['sh', '-c', 'echo second >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
      ],
      containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', 'cat /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    }));
    const p = await waitFor('init Succeeded', async () => {
      const x = await getPod('init');
      return x.status?.phase === 'Succeeded' ? x : undefined;
    });
    expect(p.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect((await env.cp.kubectl(['logs', 'init'])).stdout).toBe('first\nsecond\n');
    expect((await env.cp.kubectl(['logs', 'init', '-c', 'first'])).stdout).toBe('');
  }, 60_000);

  it('readiness probes gate Ready; a failing liveness probe restarts the container with an event', async () => {
    await podsApi().create(podObject(env.nodeName, 'probed', [], {
      // sh as PID 1 ignores SIGTERM: keep the kill after a failed liveness probe short.
      terminationGracePeriodSeconds: 2,
      containers: [{
        name: 'main', image: BUSYBOX, command: ['sh', '-c', 'httpd -p 8080 -h /www; sleep 3600'],
        readinessProbe: { exec: { command: ['test', '-e', '/tmp/ready'] }, periodSeconds: 1 },
        livenessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
      }],
    }));
    await running('probed');
    await new Promise((r) => setTimeout(r, 2500));
    let p = await getPod('probed');
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(p.status?.containerStatuses?.[0]?.ready).toBe(false);
    await exec('probed', 'touch /tmp/ready');
    await waitFor('probed Ready', async () => (await getPod('probed')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    // Break liveness: the page disappears; the container is restarted.
    await exec('probed', 'rm /www/index.html');
    p = await waitFor('liveness restart', async () => {
      const x = await getPod('probed');
      return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? x : undefined;
    }, 30_000);
    const evs = await env.cp.client.resource(events, 'default').list();
    const messages = evs.items.map((e) => (e as unknown as { message: string }).message);
    expect(messages.some((m) => /failed liveness probe, will be restarted/.test(m))).toBe(true);
  }, 90_000);

  it('streams logs with kubectl logs -f through the apiserver', async () => {
    await podsApi().create(podObject(env.nodeName, 'ticker', ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done']));
    await running('ticker');
    const child = spawn('kubectl', ['--kubeconfig', env.cp.kubeconfig, 'logs', '-f', 'ticker'], { env: { ...process.env, HOME: env.cp.dir } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor('followed lines', async () => (out.match(/tick \d+\n/g) ?? []).length >= 8, 15_000);
      const first = (out.match(/tick \d+\n/g) ?? []).length;
      await new Promise((r) => setTimeout(r, 1000));
      expect((out.match(/tick \d+\n/g) ?? []).length).toBeGreaterThan(first);
    } finally {
      child.kill('SIGKILL');
    }
    const tail = await env.cp.kubectl(['logs', 'ticker', '--tail=2']);
    expect(tail.stdout.trim().split('\n')).toHaveLength(2);
  }, 60_000);

  it('gives kubectl exec -it an interactive shell (driven through a pty)', async () => {
    const child = spawn('script', ['-qec', `kubectl --kubeconfig ${env.cp.kubeconfig} exec -it ticker -- sh`, '/dev/null'], { env: { ...process.env, HOME: env.cp.dir, TERM: 'dumb' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      // The runtime gives tty execs pipes (no remote line discipline turning CR into NL): send NL.
      child.stdin.write('echo hello-$((40+2))\n');
      await waitFor('interactive output', async () => out.includes('hello-42'), 10_000).catch((err: Error) => {
        throw new Error(`${err.message}; output: ${JSON.stringify(out)}`);
      });
      child.stdin.write('exit 0\n');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('attaches to a running container through the apiserver', async () => {
    const child = spawn('kubectl', ['--kubeconfig', env.cp.kubeconfig, 'attach', 'ticker'], { env: { ...process.env, HOME: env.cp.dir } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor('attached output', async () => /tick \d+\n[\s\S]*tick \d+\n/.test(out), 15_000);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('reports OOMKilled for a container over its memory limit', async () => {
    await podsApi().create(podObject(env.nodeName, 'oom', [], {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', 'tail /dev/zero'], resources: { limits: { memory: '24Mi' } } }],
    }));
    const p = await waitFor('oom Failed', async () => {
      const x = await getPod('oom');
      return x.status?.phase === 'Failed' ? x : undefined;
    }, 30_000);
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(p.status?.qosClass).toBe('Burstable');
  }, 40_000);

  it('replaces a running container when its image changes', async () => {
    await podsApi().create(podObject(env.nodeName, 'upd', ['sleep', '3600'], { terminationGracePeriodSeconds: 1 }));
    await running('upd');
    await podsApi().patch('upd', 'strategic', { spec: { containers: [{ name: 'main', image: 'tkube-test/pause:latest' }] } });
    const p = await waitFor('new image running', async () => {
      const x = await getPod('upd');
      const cs = x.status?.containerStatuses?.[0];
      return cs?.image === 'tkube-test/pause:latest' && cs.restartCount === 1 && cs.state?.running ? x : undefined;
    }, 30_000);
    expect(p.status?.containerStatuses?.[0]?.lastState?.terminated).toBeDefined();
  }, 40_000);

  it('reports ErrImagePull then ImagePullBackOff for an image that cannot be pulled', async () => {
    await podsApi().create(podObject(env.nodeName, 'noimage', [], { containers: [{ name: 'main', image: 'tkube-test/does-not-exist:1' }] }));
    const seen = new Set<string>();
    await waitFor('ImagePullBackOff', async () => {
      const reason = (await getPod('noimage')).status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (reason) seen.add(reason);
      return reason === 'ImagePullBackOff';
    }, 30_000);
    expect(seen.has('ErrImagePull') || seen.has('ImagePullBackOff')).toBe(true);
    expect((await getPod('noimage')).status?.phase).toBe('Pending');
  }, 40_000);
});
