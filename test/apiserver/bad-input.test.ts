/**
 * Malformed and forbidden requests: each gets the status code and reason Kubernetes
 * answers with, in a Status body — never a 500 — and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { configMap, request, type RequestOptions } from './rest.js';

const NS = 'tkube-bad';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const PODS = `/api/v1/namespaces/${NS}/pods`;
const DEPLOYS = `/apis/apps/v1/namespaces/${NS}/deployments`;

let cp: TestControlPlane;

function pod(name: string, containers: unknown[] = [{ name: 'c', image: 'busybox:1.36' }]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers } };
}
function deployment(name: string, over: { replicas?: number; selector?: Record<string, string>; labels?: Record<string, string> } = {}): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: over.replicas ?? 1,
      selector: { matchLabels: over.selector ?? { app: name } },
      template: { metadata: { labels: over.labels ?? { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
    },
  };
}

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  body?: RequestOptions['body'] | (() => RequestOptions['body']);
  contentType?: string;
  code: number;
  reason: string;
  /** A fragment the Status message must contain. */
  message?: RegExp;
}

const big = (bytes: number) => configMap('big', { blob: 'x'.repeat(bytes) });
let deployRv = '';
let immutableCm: Record<string, any> = {};

const cases: Case[] = [
  { name: 'broken JSON', method: 'POST', path: CM, body: '{"apiVersion":"v1","kind":"ConfigMap",', code: 400, reason: 'BadRequest' },
  { name: 'broken YAML', method: 'POST', path: CM, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n', contentType: 'application/yaml', code: 400, reason: 'BadRequest' },
  { name: 'empty body', method: 'POST', path: CM, body: '', code: 400, reason: 'BadRequest' },
  { name: 'body is a JSON array', method: 'POST', path: CM, body: '[1,2]', code: 400, reason: 'BadRequest' },
  { name: 'wrong type: data value is a number', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n1' }, data: { a: 1 } }, code: 400, reason: 'BadRequest' },
  { name: 'wrong type: replicas is a string', method: 'POST', path: DEPLOYS, body: () => ({ ...deployment('d1'), spec: { ...deployment('d1').spec, replicas: 'three' } }), code: 400, reason: 'BadRequest' },
  { name: 'unknown field under fieldValidation=Strict', method: 'POST', path: `${CM}?fieldValidation=Strict`, body: { ...configMap('n2'), bogus: 1 }, code: 400, reason: 'BadRequest', message: /unknown field "bogus"/ },
  { name: 'unknown nested field under Strict', method: 'POST', path: `${PODS}?fieldValidation=Strict`, body: pod('p1', [{ name: 'c', image: 'busybox', imagePullPolcy: 'Always' }]), code: 400, reason: 'BadRequest', message: /imagePullPolcy/ },
  { name: 'bogus fieldValidation value', method: 'POST', path: `${CM}?fieldValidation=Loud`, body: configMap('n3'), code: 400, reason: 'BadRequest' },
  { name: 'name with upper case', method: 'POST', path: CM, body: configMap('Bad_Name'), code: 422, reason: 'Invalid' },
  { name: 'name missing', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, code: 422, reason: 'Invalid' },
  { name: 'bad label value', method: 'POST', path: CM, body: configMap('n4', {}, { labels: { app: 'not ok!' } }), code: 422, reason: 'Invalid' },
  { name: 'bad label key', method: 'POST', path: CM, body: configMap('n5', {}, { labels: { '-bad/key': 'x' } }), code: 422, reason: 'Invalid' },
  { name: '4 MiB body', method: 'POST', path: CM, body: () => big(4 * 1024 * 1024), code: 413, reason: 'RequestEntityTooLarge' },
  { name: 'ConfigMap data over 1 MiB', method: 'POST', path: CM, body: () => big(1100 * 1024), code: 422, reason: 'Invalid', message: /Too long/ },
  {
    name: 'object too large for etcd (2 MiB, under the body limit)',
    method: 'POST',
    path: PODS,
    body: () => pod('huge', [{ name: 'c', image: 'busybox', env: [{ name: 'BLOB', value: 'x'.repeat(2 * 1024 * 1024) }] }]),
    code: 413,
    reason: 'RequestEntityTooLarge',
  },
  { name: 'PATCH with application/json', method: 'PATCH', path: `${CM}/existing`, body: { data: { a: 'b' } }, contentType: 'application/json', code: 415, reason: 'UnsupportedMediaType' },
  { name: 'PATCH with apply-patch (server-side apply not supported yet)', method: 'PATCH', path: `${CM}/existing?fieldManager=t`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: existing}\n', contentType: 'application/apply-patch+yaml', code: 415, reason: 'UnsupportedMediaType' },
  { name: 'POST with text/plain', method: 'POST', path: CM, body: 'hello', contentType: 'text/plain', code: 415, reason: 'UnsupportedMediaType' },
  { name: 'json patch that is not a list', method: 'PATCH', path: `${CM}/existing`, body: { op: 'add' }, contentType: 'application/json-patch+json', code: 400, reason: 'BadRequest' },
  { name: 'json patch with a failing test op', method: 'PATCH', path: `${CM}/existing`, body: [{ op: 'test', path: '/data/a', value: 'nope' }], contentType: 'application/json-patch+json', code: 422, reason: 'Invalid' },
  { name: 'namespace in body differs from the URL', method: 'POST', path: CM, body: configMap('n6', {}, { namespace: 'default' }), code: 400, reason: 'BadRequest', message: /does not match the namespace/ },
  { name: 'kind mismatch (Secret posted to configmaps)', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'n7' } }, code: 400, reason: 'BadRequest' },
  { name: 'apiVersion mismatch (apps/v1 posted to core configmaps)', method: 'POST', path: CM, body: { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'n8' } }, code: 400, reason: 'BadRequest' },
  { name: 'POST to a named object', method: 'POST', path: `${CM}/existing`, body: configMap('existing'), code: 405, reason: 'MethodNotAllowed' },
  { name: 'PUT with a different name than the URL', method: 'PUT', path: `${CM}/existing`, body: configMap('other'), code: 400, reason: 'BadRequest' },
  { name: 'pod without containers', method: 'POST', path: PODS, body: pod('p2', []), code: 422, reason: 'Invalid' },
  { name: 'pod with duplicate container names', method: 'POST', path: PODS, body: pod('p3', [{ name: 'c', image: 'a' }, { name: 'c', image: 'b' }]), code: 422, reason: 'Invalid' },
  { name: 'container port out of range', method: 'POST', path: PODS, body: pod('p4', [{ name: 'c', image: 'a', ports: [{ containerPort: 70000 }] }]), code: 422, reason: 'Invalid' },
  { name: 'negative replicas', method: 'POST', path: DEPLOYS, body: () => deployment('d2', { replicas: -1 }), code: 422, reason: 'Invalid' },
  { name: 'selector does not match template labels', method: 'POST', path: DEPLOYS, body: () => deployment('d3', { selector: { app: 'x' }, labels: { app: 'y' } }), code: 422, reason: 'Invalid' },
  { name: 'changing an immutable deployment selector', method: 'PUT', path: `${DEPLOYS}/fixed`, body: () => ({ ...deployment('fixed', { selector: { app: 'other' }, labels: { app: 'other' } }), metadata: { name: 'fixed', resourceVersion: deployRv } }), code: 422, reason: 'Invalid', message: /immutable/ },
  { name: 'changing data of an immutable ConfigMap', method: 'PUT', path: `${CM}/frozen`, body: () => ({ ...immutableCm, data: { k: 'changed' } }), code: 422, reason: 'Invalid', message: /immutable/ },
  { name: 'update with a stale resourceVersion', method: 'PUT', path: `${CM}/existing`, body: { ...configMap('existing', { a: 'z' }), metadata: { name: 'existing', resourceVersion: '1' } }, code: 409, reason: 'Conflict' },
  { name: 'create what exists', method: 'POST', path: CM, body: configMap('existing'), code: 409, reason: 'AlreadyExists' },
  { name: 'binding a bound pod again', method: 'POST', path: `${PODS}/bound/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'tkube-n2' } }, code: 409, reason: 'Conflict' },
  { name: 'binding without a target', method: 'POST', path: `${PODS}/existing-pod/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'existing-pod' } }, code: 422, reason: 'Invalid' },
  { name: 'delete with a uid precondition that does not match', method: 'DELETE', path: `${CM}/existing`, body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } }, code: 409, reason: 'Conflict' },
  { name: 'bad label selector syntax', method: 'GET', path: `${CM}?labelSelector=${encodeURIComponent('app in (a')}`, code: 400, reason: 'BadRequest' },
  { name: 'unsupported field selector', method: 'GET', path: `${CM}?fieldSelector=spec.nope%3Dx`, code: 400, reason: 'BadRequest' },
  { name: 'bogus resourceVersion on list', method: 'GET', path: `${CM}?resourceVersion=abc`, code: 400, reason: 'BadRequest' },
  { name: 'bogus resourceVersion on get', method: 'GET', path: `${CM}/existing?resourceVersion=abc`, code: 400, reason: 'BadRequest' },
  // Kubernetes' ValidateListOptions: 422 Invalid on kind ListOptions.
  { name: 'resourceVersionMatch without resourceVersion', method: 'GET', path: `${CM}?resourceVersionMatch=Exact`, code: 422, reason: 'Invalid', message: /ListOptions/ },
  { name: 'resourceVersionMatch=Exact with resourceVersion=0', method: 'GET', path: `${CM}?resourceVersion=0&resourceVersionMatch=Exact`, code: 422, reason: 'Invalid' },
  { name: 'sendInitialEvents on a list', method: 'GET', path: `${CM}?sendInitialEvents=true`, code: 422, reason: 'Invalid' },
  { name: 'resourceVersionMatch on a watch without sendInitialEvents', method: 'GET', path: `${CM}?watch=true&resourceVersionMatch=NotOlderThan&resourceVersion=1`, code: 422, reason: 'Invalid' },
  { name: 'bogus resourceVersionMatch value', method: 'GET', path: `${CM}?resourceVersion=1&resourceVersionMatch=Newest`, code: 400, reason: 'BadRequest' },
  { name: 'bad continue token', method: 'GET', path: `${CM}?limit=1&continue=not-a-token`, code: 400, reason: 'BadRequest' },
  { name: 'limit is not a number', method: 'GET', path: `${CM}?limit=ten`, code: 400, reason: 'BadRequest' },
  { name: 'bad timeoutSeconds on watch', method: 'GET', path: `${CM}?watch=true&timeoutSeconds=soon`, code: 400, reason: 'BadRequest' },
  { name: 'unknown resource', method: 'GET', path: `/api/v1/namespaces/${NS}/widgets`, code: 404, reason: 'NotFound' },
  { name: 'unknown group', method: 'GET', path: '/apis/tkube.example/v1/things', code: 404, reason: 'NotFound' },
  { name: 'missing object', method: 'GET', path: `${CM}/nope`, code: 404, reason: 'NotFound' },
  { name: 'unknown subresource', method: 'GET', path: `${CM}/existing/status`, code: 404, reason: 'NotFound' },
  { name: 'create in a missing namespace', method: 'POST', path: '/api/v1/namespaces/tkube-missing/configmaps', body: configMap('n9'), code: 404, reason: 'NotFound' },
  { name: 'create in a terminating namespace', method: 'POST', path: '/api/v1/namespaces/tkube-dying/configmaps', body: configMap('n10'), code: 403, reason: 'Forbidden', message: /being terminated/ },
  { name: 'scale to negative replicas', method: 'PATCH', path: `${DEPLOYS}/fixed/scale`, body: { spec: { replicas: -3 } }, contentType: 'application/merge-patch+json', code: 422, reason: 'Invalid' },
];

beforeAll(async () => {
  // No service-account controllers (their kube-root-ca.crt would be listed with the ConfigMaps): the default ServiceAccount pods need is made here.
  cp = await startControlPlane({ serviceAccountControllers: false });
  const ok = async (method: string, path: string, body: RequestOptions['body'], code = 201) => {
    const res = await request(cp.url, method, path, { body });
    expect(res.status, `${method} ${path}: ${res.text}`).toBe(code);
    return res.json as Record<string, any>;
  };
  await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await ok('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  await ok('POST', CM, configMap('existing', { a: 'b' }));
  immutableCm = await ok('POST', CM, { ...configMap('frozen', { k: 'v' }), immutable: true });
  deployRv = (await ok('POST', DEPLOYS, deployment('fixed'))).metadata.resourceVersion;
  await ok('POST', PODS, pod('bound'));
  await ok('POST', PODS, pod('existing-pod'));
  await ok('POST', `${PODS}/bound/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'tkube-n1' } });
  // A namespace that stays Terminating: its "kubernetes" finalizer is never removed (no namespace controller here).
  await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tkube-dying' }, spec: { finalizers: ['kubernetes'] } });
  await ok('DELETE', '/api/v1/namespaces/tkube-dying', undefined, 200);
});
afterAll(async () => {
  await cp?.stop();
});

describe('bad input', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$name → $code $reason', async (c) => {
    const path = typeof c.path === 'function' ? c.path() : c.path;
    const body = typeof c.body === 'function' ? c.body() : c.body;
    const res = await request(cp.url, c.method, path, { body, contentType: c.contentType });
    expect(res.status, res.text.slice(0, 500)).toBe(c.code);
    expect(res.json, 'body is JSON').toBeDefined();
    expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: c.code, reason: c.reason });
    expect(typeof res.json!.message).toBe('string');
    if (c.message) expect(res.json!.message).toMatch(c.message);
  });

  it('nothing was changed by the rejected requests, and the server still serves', async () => {
    const existing = await request(cp.url, 'GET', `${CM}/existing`);
    expect((existing.json as { data: Record<string, string> }).data).toEqual({ a: 'b' });
    const frozen = await request(cp.url, 'GET', `${CM}/frozen`);
    expect((frozen.json as { data: Record<string, string> }).data).toEqual({ k: 'v' });
    const bound = await request(cp.url, 'GET', `${PODS}/bound`);
    expect((bound.json as { spec: { nodeName: string } }).spec.nodeName).toBe('tkube-n1');
    const fixed = await request(cp.url, 'GET', `${DEPLOYS}/fixed`);
    expect((fixed.json as { spec: { replicas: number; selector: unknown } }).spec).toMatchObject({ replicas: 1, selector: { matchLabels: { app: 'fixed' } } });
    const list = await request(cp.url, 'GET', CM);
    expect((list.json as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort()).toEqual(['existing', 'frozen']);
    // limit=-1 is not an error in Kubernetes: only a positive limit pages.
    const unlimited = await request(cp.url, 'GET', `${CM}?limit=-1`);
    expect(unlimited.status).toBe(200);
    expect((unlimited.json as { items: unknown[]; metadata: { continue?: string } }).items).toHaveLength(2);
    expect((unlimited.json as { metadata: { continue?: string } }).metadata.continue).toBeUndefined();
    const created = await request(cp.url, 'POST', CM, { body: configMap('after-the-table', { ok: 'yes' }) });
    expect(created.status).toBe(201);
    expect((await request(cp.url, 'GET', '/readyz')).status).toBe(200);
  });
});
