/**
 * API semantics beyond plain CRUD: list paging at one revision, finalizers, event
 * expiry, the status and scale subresources, pods/binding, /metrics, OpenAPI v3 and
 * discovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { configMap, request, sleep } from './rest.js';

const NS = 'tkube-sem';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOYS = `/apis/apps/v1/namespaces/${NS}/deployments`;
const PODS = `/api/v1/namespaces/${NS}/pods`;
let cp: TestControlPlane;

type Obj = Record<string, any>;
async function ok(method: string, path: string, body?: object, contentType?: string): Promise<Obj> {
  const res = await request(cp.url, method, path, { body, contentType });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 400)}`).toBeLessThan(300);
  return res.json as Obj;
}
const deployment = (name: string, replicas = 1): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
  },
});

beforeAll(async () => {
  // No service-account controllers (their kube-root-ca.crt would be counted with the ConfigMaps): the default ServiceAccount pods need is made here.
  cp = await startControlPlane({ eventTtlSeconds: 2, serviceAccountControllers: false });
  await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await ok('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
});
afterAll(async () => {
  await cp?.stop();
});

describe('list paging', () => {
  it('pages through 1,200 objects with limit/continue at one revision', async () => {
    const total = 1200;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          const i = next++;
          await ok('POST', CM, configMap(`item-${String(i).padStart(4, '0')}`, { i: String(i) }));
        }
      }),
    );
    const names: string[] = [];
    let token: string | undefined;
    let listRv: string | undefined;
    let pages = 0;
    do {
      const page = await ok('GET', `${CM}?limit=100${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(100);
      names.push(...page.items.map((o: Obj) => o.metadata.name));
      listRv ??= page.metadata.resourceVersion;
      expect(page.metadata.resourceVersion).toBe(listRv);
      if (page.metadata.continue) expect(page.metadata.remainingItemCount).toBe(total - names.length);
      if (pages === 3) await ok('POST', CM, configMap('zz-created-while-paging')); // after the snapshot: not listed
      token = page.metadata.continue;
    } while (token);
    expect(pages).toBe(12);
    expect(names).toHaveLength(total);
    expect(new Set(names).size).toBe(total);
    expect(names).toEqual([...names].sort());
    expect(names).not.toContain('zz-created-while-paging');
    // The cache answers resourceVersion=0 lists with everything, including the late object.
    const cached = await ok('GET', `${CM}?resourceVersion=0`);
    expect(cached.items).toHaveLength(total + 1);
    // A label-filtered page still honours limit.
    const filtered = await ok('GET', `${CM}?limit=5&fieldSelector=metadata.name%21%3Ditem-0000`);
    expect(filtered.items).toHaveLength(5);
    expect(filtered.items[0].metadata.name).toBe('item-0001');
    // deletecollection removes them all.
    await ok('DELETE', CM);
    expect((await ok('GET', CM)).items).toHaveLength(0);
  }, 90_000);
});

describe('finalizers', () => {
  it('an object with a finalizer gets deletionTimestamp on delete and disappears when the finalizer is removed', async () => {
    await ok('POST', CM, configMap('held', {}, { finalizers: ['tkube.test/hold'] }));
    const deleted = await ok('DELETE', `${CM}/held`);
    expect(deleted.metadata.deletionTimestamp).toBeTruthy();
    const still = await ok('GET', `${CM}/held`);
    expect(still.metadata.deletionTimestamp).toBeTruthy();
    expect(still.metadata.finalizers).toEqual(['tkube.test/hold']);
    // No new finalizers once deleting.
    const add = await request(cp.url, 'PATCH', `${CM}/held`, { body: { metadata: { finalizers: ['tkube.test/hold', 'tkube.test/more'] } }, contentType: 'application/merge-patch+json' });
    expect(add.status).toBe(422);
    expect(add.json).toMatchObject({ reason: 'Invalid', details: { causes: [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers' }] } });
    await ok('PATCH', `${CM}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect((await request(cp.url, 'GET', `${CM}/held`)).status).toBe(404);
  });

  it('foreground deletion sets the foregroundDeletion finalizer', async () => {
    await ok('POST', DEPLOYS, deployment('fg'));
    await ok('DELETE', `${DEPLOYS}/fg`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    const d = await ok('GET', `${DEPLOYS}/fg`);
    expect(d.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(d.metadata.deletionTimestamp).toBeTruthy();
  });
});

describe('events', () => {
  it('expire after the event TTL', async () => {
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev1' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: NS },
      reason: 'Testing',
      message: 'short-lived',
      type: 'Normal',
    };
    await ok('POST', `/api/v1/namespaces/${NS}/events`, ev);
    expect((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/events/ev1`)).status).toBe(200);
    const byField = await ok('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dp`);
    expect(byField.items).toHaveLength(1);
    const deadline = Date.now() + 15_000;
    while ((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/events/ev1`)).status !== 404) {
      if (Date.now() > deadline) throw new Error('event did not expire');
      await sleep(250);
    }
  }, 30_000);
});

describe('status subresource', () => {
  it('ignores spec changes via /status and status changes via the main resource; generation bumps on spec changes only', async () => {
    const created = await ok('POST', DEPLOYS, deployment('st', 2));
    expect(created.metadata.generation).toBe(1);

    const viaStatus = { ...created, spec: { ...created.spec, replicas: 9 }, status: { replicas: 3, observedGeneration: 1 } };
    const s = await ok('PUT', `${DEPLOYS}/st/status`, viaStatus);
    expect(s.spec.replicas).toBe(2);
    expect(s.status).toMatchObject({ replicas: 3, observedGeneration: 1 });
    expect(s.metadata.generation).toBe(1);

    const viaMain = { ...s, spec: { ...s.spec, replicas: 4 }, status: { replicas: 99 } };
    const m = await ok('PUT', `${DEPLOYS}/st`, viaMain);
    expect(m.spec.replicas).toBe(4);
    expect(m.status.replicas).toBe(3);
    expect(m.metadata.generation).toBe(2);

    const labelled = await ok('PATCH', `${DEPLOYS}/st`, { metadata: { labels: { extra: 'yes' } } }, 'application/merge-patch+json');
    expect(labelled.metadata.generation).toBe(2);
    const patchedStatus = await ok('PATCH', `${DEPLOYS}/st/status`, { status: { availableReplicas: 1 }, spec: { replicas: 7 } }, 'application/merge-patch+json');
    expect(patchedStatus.status.availableReplicas).toBe(1);
    expect(patchedStatus.spec.replicas).toBe(4);
    expect((await ok('GET', `${DEPLOYS}/st/status`)).status.availableReplicas).toBe(1);
  });
});

describe('scale subresource', () => {
  it('serves autoscaling/v1 Scale with status.selector and writes spec.replicas', async () => {
    await ok('POST', DEPLOYS, deployment('sc', 1));
    const scale = await ok('GET', `${DEPLOYS}/sc/scale`);
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'sc', namespace: NS }, spec: { replicas: 1 }, status: { replicas: 0, selector: 'app=sc' } });
    const put = await ok('PUT', `${DEPLOYS}/sc/scale`, { ...scale, spec: { replicas: 4 } });
    expect(put.spec.replicas).toBe(4);
    expect((await ok('GET', `${DEPLOYS}/sc`)).spec.replicas).toBe(4);
    const patched = await ok('PATCH', `${DEPLOYS}/sc/scale`, { spec: { replicas: 6 } }, 'application/merge-patch+json');
    expect(patched.spec.replicas).toBe(6);
    const d = await ok('GET', `${DEPLOYS}/sc`);
    expect(d.spec.replicas).toBe(6);
    expect(d.metadata.generation).toBe(3);
    // A stale resourceVersion in the Scale is a conflict.
    const stale = await request(cp.url, 'PUT', `${DEPLOYS}/sc/scale`, { body: { ...scale, spec: { replicas: 2 } } });
    expect(stale.status).toBe(409);
  });
});

describe('pods/binding', () => {
  it('sets spec.nodeName once and the PodScheduled condition', async () => {
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    await ok('POST', PODS, pod('p1'));
    const res = await request(cp.url, 'POST', `${PODS}/p1/binding`, { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'tkube-node-a' } } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ kind: 'Status', status: 'Success' });
    const p = await ok('GET', `${PODS}/p1`);
    expect(p.spec.nodeName).toBe('tkube-node-a');
    expect(p.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
    const again = await request(cp.url, 'POST', `${PODS}/p1/binding`, { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'tkube-node-b' } } });
    expect(again.status).toBe(409);
    expect((await ok('GET', `${PODS}/p1`)).spec.nodeName).toBe('tkube-node-a');
    // The legacy bindings collection does the same.
    await ok('POST', PODS, pod('p2'));
    const legacy = await request(cp.url, 'POST', `/api/v1/namespaces/${NS}/bindings`, { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p2' }, target: { kind: 'Node', name: 'tkube-node-b' } } });
    expect(legacy.status).toBe(201);
    expect((await ok('GET', `${PODS}/p2`)).spec.nodeName).toBe('tkube-node-b');
    // nodeName cannot be changed by an update.
    const p2 = await ok('GET', `${PODS}/p2`);
    const moved = await request(cp.url, 'PUT', `${PODS}/p2`, { body: { ...p2, spec: { ...p2.spec, nodeName: 'tkube-node-c' } } });
    expect(moved.status).toBe(422);
  });
});

describe('metrics, OpenAPI, discovery', () => {
  it('/metrics has request counts by verb/resource/code and etcd latency', async () => {
    await request(cp.url, 'GET', `${CM}/does-not-exist`);
    const text = (await request(cp.url, 'GET', '/metrics')).text;
    expect(text).toMatch(/^apiserver_request_total\{code="201",resource="configmaps",verb="create"\} [1-9]\d*$/m);
    expect(text).toMatch(/^apiserver_request_total\{code="404",resource="configmaps",verb="get"\} [1-9]\d*$/m);
    expect(text).toMatch(/^apiserver_request_duration_seconds_bucket\{.*verb="list".*\} \d+$/m);
    expect(text).toMatch(/^etcd_request_duration_seconds_bucket\{.*operation="create".*\} \d+$/m);
    expect(text).toMatch(/^etcd_request_duration_seconds_count\{operation="get"\} [1-9]\d*$/m);
    expect(text).toMatch(/^# TYPE apiserver_request_total counter$/m);
  });

  it('/openapi/v3 lists group versions and serves schemas', async () => {
    const index = await ok('GET', '/openapi/v3');
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1']));
    const core = await ok('GET', index.paths['api/v1'].serverRelativeURL);
    expect(core.openapi).toMatch(/^3\./);
    const pod = core.components.schemas['io.k8s.api.core.v1.Pod'];
    expect(pod['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(Object.keys(core.paths)).toContain('/api/v1/namespaces/{namespace}/pods/{name}');
    const apps = await ok('GET', index.paths['apis/apps/v1'].serverRelativeURL);
    expect(apps.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas.type).toBe('integer');
  });

  it('discovery: /api, /apis, resource lists with verbs, short names and subresources; /version', async () => {
    expect((await ok('GET', '/api')).versions).toEqual(['v1']);
    const groups = (await ok('GET', '/apis')).groups.map((g: Obj) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['apps', 'coordination.k8s.io']));
    const core = (await ok('GET', '/api/v1')).resources as Obj[];
    const pods = core.find((r) => r.name === 'pods')!;
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, singularName: 'pod', shortNames: ['po'] });
    expect(pods.verbs).toEqual(expect.arrayContaining(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']));
    expect(pods.categories).toContain('all');
    expect(core.map((r) => r.name)).toEqual(expect.arrayContaining(['pods/status', 'pods/binding', 'namespaces', 'configmaps', 'events']));
    const apps = (await ok('GET', '/apis/apps/v1')).resources as Obj[];
    expect(apps.find((r) => r.name === 'deployments/scale')).toMatchObject({ kind: 'Scale', group: 'autoscaling', version: 'v1' });
    expect(apps.find((r) => r.name === 'deployments')!.shortNames).toEqual(['deploy']);
    const version = await ok('GET', '/version');
    expect(version.gitVersion).toMatch(/^v1\.32\./);
    expect(version.major).toBe('1');
  });
});
