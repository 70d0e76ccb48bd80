import { describe, expect, it } from 'vitest';
import { sampleResources } from './sample-resources.js';
import { buildOpenApiV3, openApiV3Index, type GroupVersionDocument } from './v3.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-local navigation of JSON

const docs = buildOpenApiV3(sampleResources);
const byKey = (key: string) => docs.find((d) => d.key === key)!.document as Json;

/** Every "$ref" anywhere in a value. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('OpenAPI v3 index', () => {
  it('lists one document per group version with its hash', () => {
    const index = openApiV3Index(docs);
    expect(Object.keys(index.paths)).toEqual(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1']);
    const apps = docs.find((d: GroupVersionDocument) => d.key === 'apis/apps/v1')!;
    expect(apps.hash).toMatch(/^[0-9A-F]{128}$/);
    expect(index.paths['apis/apps/v1']).toEqual({ serverRelativeURL: `/openapi/v3/apis/apps/v1?hash=${apps.hash}` });
  });
});

describe('apps/v1 document', () => {
  const doc = byKey('apis/apps/v1');
  const schemas = doc.components.schemas as Json;

  it('is OpenAPI 3.0 with Kubernetes component names and GVKs', () => {
    expect(doc.openapi).toBe('3.0.0');
    expect(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
    expect(schemas['io.k8s.api.apps.v1.DeploymentList']).toMatchObject({
      required: ['items'],
      properties: { items: { items: { $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' } } },
      'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'DeploymentList', version: 'v1' }],
    });
    expect(schemas['io.k8s.api.autoscaling.v1.Scale']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'autoscaling', kind: 'Scale', version: 'v1' },
    ]);
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(schemas['io.k8s.api.apps.v1.Deployment'].description).toContain('declarative updates');
    // Only this group version's kinds are in it.
    expect(schemas['io.k8s.api.core.v1.Pod']).toBeUndefined();
  });

  it('has no dangling $ref', () => {
    const targets = new Set(Object.keys(schemas).map((n) => `#/components/schemas/${n}`));
    const dangling = refsIn(doc).filter((r) => !targets.has(r));
    expect(dangling).toEqual([]);
  });

  it('describes the object paths with operations, GVKs and fieldValidation on writes', () => {
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(item.parameters.map((p: Json) => p.name)).toEqual(['name', 'namespace', 'pretty']);
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'parameters', 'patch', 'put']);
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(item.patch['x-kubernetes-action']).toBe('patch');
    expect(item.patch.operationId).toBe('patchAppsV1NamespacedDeployment');
    for (const op of [item.patch, item.put, doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post]) {
      expect(op.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    }
    expect(Object.keys(item.patch.requestBody.content)).toContain('application/strategic-merge-patch+json');
    expect(item.get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' });

    const list = doc.paths['/apis/apps/v1/deployments'].get;
    expect(list.operationId).toBe('listAppsV1DeploymentForAllNamespaces');
    expect(list.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['labelSelector', 'watch', 'limit', 'continue']));
  });

  it('describes status and scale subresources', () => {
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale.get['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(scale.put.requestBody.content['*/*'].schema).toEqual({ $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale' });
    const status = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'];
    expect(Object.keys(status).sort()).toEqual(['get', 'parameters', 'patch', 'put']);
    expect(status.patch.operationId).toBe('patchAppsV1NamespacedDeploymentStatus');
  });
});

describe('core/v1 document', () => {
  const doc = byKey('api/v1');
  it('uses cluster-scoped paths for cluster-scoped kinds and honours verbs', () => {
    const ns = doc.paths['/api/v1/namespaces/{name}'];
    expect(ns.parameters.map((p: Json) => p.name)).toEqual(['name', 'pretty']);
    expect(ns.patch.operationId).toBe('patchCoreV1Namespace');
    // namespaces do not serve deletecollection
    expect(doc.paths['/api/v1/namespaces'].delete).toBeUndefined();
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods'].delete['x-kubernetes-action']).toBe('deletecollection');
    expect(doc.components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([
      { group: '', kind: 'Pod', version: 'v1' },
    ]);
  });
});
