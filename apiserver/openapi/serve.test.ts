import { describe, expect, it } from 'vitest';
import { sampleResources } from './sample-resources.js';
import { openApiResponse } from './serve.js';

const JSON_ACCEPT = 'application/json';
const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const V3_PROTOBUF = 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf';

function get(path: string, query?: string | URLSearchParams, accept = JSON_ACCEPT) {
  return openApiResponse(path, query, accept, sampleResources);
}

describe('openApiResponse', () => {
  it('serves the index and each listed document, generated once', () => {
    const index = get('/openapi/v3')!;
    expect(index.contentType).toBe('application/json');
    expect(index.etag).toMatch(/^"[0-9A-F]+"$/);
    const paths = JSON.parse(index.body.toString()).paths as Record<string, { serverRelativeURL: string }>;
    for (const { serverRelativeURL } of Object.values(paths)) {
      const url = new URL(serverRelativeURL, 'http://x');
      const doc = get(url.pathname, url.search)!;
      expect(doc.status ?? 200).toBe(200);
      expect(JSON.parse(doc.body.toString()).openapi).toBe('3.0.0');
      expect(doc.headers?.['Cache-Control']).toContain('immutable');
      expect(doc.etag).toBe(`"${url.searchParams.get('hash')}"`);
    }
    expect(get('/openapi/v3')).toBe(get('/openapi/v3')); // cached, not regenerated
  });

  it('redirects a stale hash to the current document and does not cache without one', () => {
    const stale = get('/openapi/v3/api/v1', '?hash=0123')!;
    expect(stale.status).toBe(301);
    expect(stale.headers?.Location).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    expect(get('/openapi/v3/api/v1', new URLSearchParams())!.headers?.['Cache-Control']).toBe('no-cache, private');
  });

  it('answers 406 when only protobuf is acceptable, and leaves other paths alone', () => {
    expect(get('/openapi/v3/api/v1', undefined, V3_PROTOBUF)!.status).toBe(406);
    expect(get('/openapi/v2', undefined, 'application/vnd.kubernetes.protobuf')!.status).toBe(406);
    expect(get('/openapi/v3/apis/batch/v1')).toBeUndefined();
    expect(get('/openapi/v4')).toBeUndefined();
    expect(get('/api/v1')).toBeUndefined();
  });

  it('serves a Swagger 2.0 JSON document from the same schemas', () => {
    const v2 = JSON.parse(get('/openapi/v2', undefined, 'application/json, */*')!.body.toString());
    expect(v2.swagger).toBe('2.0');
    const deployment = v2.definitions['io.k8s.api.apps.v1.Deployment'];
    expect(deployment['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(deployment.properties.metadata).toEqual({
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      default: {},
      description: "Standard object's metadata.",
    });
    expect(deployment.properties.spec.properties.maxSurge).toMatchObject({ type: 'string', format: 'int-or-string' });
    expect(JSON.stringify(v2)).not.toContain('#/components/');
    expect(JSON.stringify(v2)).not.toContain('"anyOf"');
    const patch = v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch.parameters[0]).toMatchObject({ name: 'body', in: 'body', required: true });
    expect(patch.parameters.find((p: { name: string }) => p.name === 'fieldValidation')).toMatchObject({ in: 'query', type: 'string' });
    expect(patch.consumes).toContain('application/strategic-merge-patch+json');
    expect(patch.responses['200'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' });
  });

  it('serves /openapi/v2 as gnostic protobuf to client-go, with a Content-Type Go can parse', () => {
    const pb = get('/openapi/v2', undefined, V2_PROTOBUF)!;
    expect(pb.status ?? 200).toBe(200);
    expect(pb.contentType).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const body = pb.body as Buffer;
    // Document.swagger (field 1, length-delimited) = "2.0"
    expect([...body.subarray(0, 5)]).toEqual([0x0a, 0x03, 0x32, 0x2e, 0x30]);
    expect(body.includes(Buffer.from('io.k8s.api.apps.v1.Deployment'))).toBe(true);
    expect(body.includes(Buffer.from('x-kubernetes-group-version-kind'))).toBe(true);
    expect(pb.etag).toBe(get('/openapi/v2')!.etag);
  });
});
