import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { deployments, nodes, pods, replicaSets, serviceAccounts } from '../../api/registry.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { tkctl } from './run-tkctl.js';

let cp: TestControlPlane;
let web: Deployment;

function template(image: string, hash?: string) {
  return {
    metadata: { labels: hash ? { app: 'web', 'pod-template-hash': hash } : { app: 'web' } },
    spec: { containers: [{ name: 'web', image }] },
  };
}

async function createReplicaSet(d: Deployment, revision: number, image: string, hash: string): Promise<ReplicaSet> {
  return cp.client.resource(replicaSets, 'default').create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      annotations: { 'deployment.kubernetes.io/revision': String(revision), 'kubernetes.io/change-cause': `image ${image}` },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid!, controller: true }],
      labels: { app: 'web', 'pod-template-hash': hash },
    },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: template(image, hash) },
  } as unknown as ReplicaSet);
}

beforeAll(async () => {
  // No service-account controllers: `delete cm --all` expects no ConfigMap left, and the
  // root CA publisher would put kube-root-ca.crt back. Pods need the default ServiceAccount.
  cp = await startControlPlane({ serviceAccountControllers: false });
  await cp.client.resource(serviceAccounts, 'default').create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } });
  web = await cp.client.resource(deployments, 'default').create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template('nginx:2') },
  } as unknown as Deployment);
  await createReplicaSet(web, 1, 'nginx:1', 'aaa111');
  await createReplicaSet(web, 2, 'nginx:2', 'bbb222');
  await cp.client.resource(pods, 'default').create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'solo', namespace: 'default', labels: { app: 'solo' } },
    spec: { containers: [{ name: 'c', image: 'busybox', env: [{ name: 'X', value: 'y' }] }] },
  } as never);
  await cp.client.createEvent({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'solo.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'solo', uid: (await cp.client.resource(pods, 'default').get('solo')).metadata.uid },
    reason: 'Scheduled',
    message: 'Successfully assigned default/solo to n1',
    type: 'Normal',
    source: { component: 'default-scheduler' },
    lastTimestamp: new Date().toISOString(),
    firstTimestamp: new Date().toISOString(),
    count: 1,
  } as never);
}, 60_000);
afterAll(async () => {
  await cp?.stop();
});

describe('tkctl get', () => {
  it('prints the server table with aligned columns', async () => {
    const r = await tkctl(cp, ['get', 'deploy']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME {3,}READY {3,}UP-TO-DATE {3,}AVAILABLE {3,}AGE$/);
    expect(lines[1]).toMatch(/^web {3,}0\/2 /);
    expect(lines[0]!.indexOf('READY')).toBe(lines[1]!.indexOf('0/2'));
  });

  it('wide, all namespaces, several types, names', async () => {
    let r = await tkctl(cp, ['get', 'deploy', '-o', 'wide']);
    expect(r.stdout.split('\n')[0]).toContain('IMAGES');
    r = await tkctl(cp, ['get', 'deployments.apps', '-A']);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAMESPACE {3,}NAME/);
    expect(r.stdout.split('\n')[1]).toMatch(/^default {3,}web/);
    r = await tkctl(cp, ['get', 'deploy,po']);
    expect(r.stdout).toContain('deployment.apps/web');
    expect(r.stdout).toContain('pod/solo');
    expect(r.stdout).toMatch(/\n\nNAME/);
    r = await tkctl(cp, ['get', 'rs', '-o', 'name']);
    expect(r.stdout).toBe('replicaset.apps/web-aaa111\nreplicaset.apps/web-bbb222\n');
    r = await tkctl(cp, ['get', 'rs', '-l', 'pod-template-hash=bbb222', '-o', 'name']);
    expect(r.stdout).toBe('replicaset.apps/web-bbb222\n');
    r = await tkctl(cp, ['get', 'po', '--field-selector', 'metadata.name=solo', '-o', 'name']);
    expect(r.stdout).toBe('pod/solo\n');
    r = await tkctl(cp, ['get', 'all', '-o', 'name']);
    expect(r.stdout).toContain('pod/solo');
    expect(r.stdout).toContain('deployment.apps/web');
    r = await tkctl(cp, ['get', 'po', '-n', 'kube-system']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'No resources found in kube-system namespace.\n' });
  });

  it('yaml and json output', async () => {
    let r = await tkctl(cp, ['get', 'deploy', 'web', '-o', 'yaml']);
    expect(r.stdout).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\nmetadata:/);
    r = await tkctl(cp, ['get', 'deploy/web', '-o', 'json']);
    expect(JSON.parse(r.stdout).metadata.name).toBe('web');
    r = await tkctl(cp, ['get', 'rs', '-o', 'json']);
    const list = JSON.parse(r.stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((i: { kind: string }) => i.kind)).toEqual(['ReplicaSet', 'ReplicaSet']);
  });

  it('watches: the current rows, then a row per change', async () => {
    const run = tkctl(cp, ['get', 'cm', '-w', '--request-timeout=2s']);
    await new Promise((r) => setTimeout(r, 500));
    await cp.client.resource({ group: '', version: 'v1', plural: 'configmaps', namespaced: true }, 'default').create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'watched', namespace: 'default' },
    });
    const r = await run;
    expect(r.stdout).toMatch(/^NAME {3,}DATA {3,}AGE\n/);
    expect(r.stdout).toMatch(/\nwatched {3,}0 {3,}\S+\n/);
  }, 20_000);
});

describe('tkctl describe', () => {
  it('describes a pod with its events', async () => {
    const r = await tkctl(cp, ['describe', 'pod', 'solo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name: +solo\nNamespace: +default\n/);
    expect(r.stdout).toMatch(/\nContainers:\n  c:\n    Image: +busybox\n/);
    expect(r.stdout).toMatch(/\n      X: +y\n/);
    expect(r.stdout).toMatch(/\nEvents:\n  Type +Reason +Age +From +Message\n  ---- +------ +--- +---- +-------\n  Normal +Scheduled +\S+ +default-scheduler +Successfully assigned default\/solo to n1\n/);
  });

  it('describes a node', async () => {
    await cp.client.resource(nodes).create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
      spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    } as never);
    const r = await tkctl(cp, ['describe', 'node', 'n1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name: +n1\nLabels: +kubernetes.io\/hostname=n1\n/);
    expect(r.stdout).toMatch(/\nTaints: +dedicated=db:NoSchedule\n/);
    expect(r.stdout).toMatch(/\nPodCIDR: +10.244.1.0\/24\n/);
    expect(r.stdout).not.toMatch(/\nNamespace:/);
  });

  it('describes a deployment and a replica set', async () => {
    let r = await tkctl(cp, ['describe', 'deploy/web']);
    expect(r.stdout).toMatch(/\nReplicas: +2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable\n/);
    expect(r.stdout).toMatch(/\nNewReplicaSet: +web-bbb222 \(0\/0 replicas created\)\n/);
    expect(r.stdout).toMatch(/\nEvents: +<none>\n/);
    r = await tkctl(cp, ['describe', 'rs', 'web-aaa111']);
    expect(r.stdout).toMatch(/\nControlled By: +Deployment\/web\n/);
    expect(r.stdout).toMatch(/\nPods Status: +0 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\n/);
  });
});

describe('tkctl scale and rollout', () => {
  it('scales through the scale subresource', async () => {
    const r = await tkctl(cp, ['scale', 'deploy', 'web', '--replicas=5']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/web scaled\n' });
    expect((await cp.client.resource(deployments, 'default').get('web')).spec.replicas).toBe(5);
  });

  it('history lists the revisions', async () => {
    const r = await tkctl(cp, ['rollout', 'history', 'deploy/web']);
    expect(r.stdout).toBe('deployment.apps/web\nREVISION  CHANGE-CAUSE\n1         image nginx:1\n2         image nginx:2\n\n');
  });

  it('pause, resume, restart', async () => {
    const rc = cp.client.resource(deployments, 'default');
    expect((await tkctl(cp, ['rollout', 'pause', 'deploy/web'])).stdout).toBe('deployment.apps/web paused\n');
    expect((await rc.get('web')).spec.paused).toBe(true);
    expect(await tkctl(cp, ['rollout', 'pause', 'deploy/web'])).toMatchObject({ code: 1, stderr: 'error: deployments.apps "web" is already paused\n' });
    expect((await tkctl(cp, ['rollout', 'restart', 'deploy/web'])).code).toBe(1);
    expect((await tkctl(cp, ['rollout', 'resume', 'deploy/web'])).stdout).toBe('deployment.apps/web resumed\n');
    expect((await rc.get('web')).spec.paused).toBeFalsy();
    expect((await tkctl(cp, ['rollout', 'restart', 'deploy/web'])).stdout).toBe('deployment.apps/web restarted\n');
    expect((await rc.get('web')).spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('undo restores the chosen revision template without the hash label', async () => {
    const rc = cp.client.resource(deployments, 'default');
    let r = await tkctl(cp, ['rollout', 'undo', 'deploy/web', '--to-revision=1']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/web rolled back\n' });
    const d = await rc.get('web');
    expect(d.spec.template.spec.containers[0]!.image).toBe('nginx:1');
    expect(d.spec.template.metadata?.labels).toEqual({ app: 'web' });
    r = await tkctl(cp, ['rollout', 'undo', 'deploy/web', '--to-revision=9']);
    expect(r).toMatchObject({ code: 1, stderr: 'error: unable to find specified revision 9 in history\n' });
  });

  it('status reports progress until the rollout is done, and times out', async () => {
    const rc = cp.client.resource(deployments, 'default');
    await tkctl(cp, ['scale', 'deploy/web', '--replicas=3']);
    const d = await rc.get('web');
    await rc.updateStatus({ ...d, status: { observedGeneration: d.metadata.generation, replicas: 3, updatedReplicas: 3, availableReplicas: 1 } });
    let r = await tkctl(cp, ['rollout', 'status', 'deploy/web', '--timeout=1s']);
    expect(r).toMatchObject({ code: 1, stdout: 'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...\n', stderr: 'error: timed out waiting for the condition\n' });
    const run = tkctl(cp, ['rollout', 'status', 'deploy/web']);
    await new Promise((res) => setTimeout(res, 300));
    const cur = await rc.get('web');
    await rc.updateStatus({ ...cur, status: { ...cur.status, availableReplicas: 3 } });
    r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deployment "web" successfully rolled out\n$/);
  });
});

describe('tkctl delete', () => {
  it('deletes by name, by selector, with --all, and waits', async () => {
    // Orphan deletion leaves the object to the garbage collector (not running here): don't wait.
    let r = await tkctl(cp, ['delete', 'rs', 'web-aaa111', '--cascade=orphan', '--wait=false']);
    expect(r).toMatchObject({ code: 0, stdout: 'replicaset.apps "web-aaa111" deleted\n' });
    const orphaned = await cp.client.resource(replicaSets, 'default').get('web-aaa111');
    expect(orphaned.metadata.finalizers).toContain('orphan');
    r = await tkctl(cp, ['delete', 'rs', '-l', 'pod-template-hash=bbb222', '--timeout=10s']);
    expect(r.stdout).toBe('replicaset.apps "web-bbb222" deleted\n');
    r = await tkctl(cp, ['delete', 'cm', '--all']);
    expect(r.code).toBe(0);
    expect((await cp.client.resource({ group: '', version: 'v1', plural: 'configmaps', namespaced: true }, 'default').list()).items).toEqual([]);
    r = await tkctl(cp, ['delete', 'deploy', 'nope']);
    expect(r).toMatchObject({ code: 1, stderr: 'error: deployments.apps "nope" not found\n' });
    r = await tkctl(cp, ['delete', 'deploy', 'nope', '--ignore-not-found']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    r = await tkctl(cp, ['delete', 'deploy']);
    expect(r).toMatchObject({ code: 1, stderr: 'error: resource(s) were provided, but no name was specified\n' });
    r = await tkctl(cp, ['delete', 'pod/solo', '--grace-period=0', '--force']);
    expect(r.code).toBe(0);
    await expect(cp.client.resource(pods, 'default').get('solo')).rejects.toSatisfy((e: unknown) => isApiError(e, 'NotFound'));
  }, 30_000);
});
