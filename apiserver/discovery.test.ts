import { describe, expect, it } from 'vitest';
import { discoveryResponse, negotiateDiscovery, parseAccept, subresourcesOf } from './discovery.js';
import { sampleResources } from './openapi/sample-resources.js';

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

function json(path: string, accept?: string) {
  const res = discoveryResponse(path, accept, sampleResources, { serverAddress: '10.0.0.1:6443' });
  if (!res) throw new Error(`no document for ${path}`);
  return { res, doc: JSON.parse(res.body.toString()) };
}

describe('negotiateDiscovery', () => {
  it('prefers aggregated v2 for what kubectl 1.32 sends, with a Content-Type naming it', () => {
    expect(negotiateDiscovery(KUBECTL_ACCEPT)).toEqual({
      kind: 'aggregated',
      version: 'v2',
      contentType: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    });
  });
  it('falls back to v2beta1, then plain JSON, and skips protobuf', () => {
    expect(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')?.kind).toBe('aggregated');
    expect(
      negotiateDiscovery('application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'),
    ).toEqual({ kind: 'legacy', contentType: 'application/json' });
    expect(negotiateDiscovery(undefined)?.kind).toBe('legacy');
    expect(negotiateDiscovery('application/json, */*')?.kind).toBe('legacy');
    expect(negotiateDiscovery('application/vnd.kubernetes.protobuf')).toBeUndefined();
    expect(negotiateDiscovery(KUBECTL_ACCEPT, false)?.kind).toBe('legacy');
  });
  it('honours q values', () => {
    expect(negotiateDiscovery('application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')?.kind).toBe(
      'aggregated',
    );
    expect(parseAccept('a/b;q=0, c/d').map((r) => r.type)).toEqual(['c/d']);
  });
});

describe('legacy discovery', () => {
  it('/api lists v1 and the server address', () => {
    const { res, doc } = json('/api', 'application/json');
    expect(res.contentType).toBe('application/json');
    expect(res.etag).toMatch(/^"[0-9A-F]+"$/);
    expect(doc).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
    });
  });

  it('/apis lists named groups only; autoscaling is not a group of its own', () => {
    const { doc } = json('/apis', 'application/json');
    expect(doc.kind).toBe('APIGroupList');
    expect(doc.groups.map((g: { name: string }) => g.name)).toEqual(['apps', 'coordination.k8s.io']);
    expect(doc.groups[0]).toEqual({
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
  });

  it('/apis/apps is the APIGroup', () => {
    expect(json('/apis/apps').doc).toMatchObject({ kind: 'APIGroup', name: 'apps', preferredVersion: { version: 'v1' } });
  });

  it('/api/v1 lists resources with their subresources', () => {
    const { doc } = json('/api/v1', KUBECTL_ACCEPT);
    expect(doc.kind).toBe('APIResourceList');
    expect(doc.groupVersion).toBe('v1');
    const names = doc.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual([
      'namespaces',
      'namespaces/finalize',
      'namespaces/status',
      'pods',
      'pods/attach',
      'pods/binding',
      'pods/exec',
      'pods/log',
      'pods/portforward',
      'pods/status',
    ]);
    const pods = doc.resources.find((r: { name: string }) => r.name === 'pods');
    expect(pods).toMatchObject({ singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] });
    expect(pods.verbs).toContain('watch');
    expect(doc.resources.find((r: { name: string }) => r.name === 'pods/binding')).toMatchObject({ kind: 'Binding', verbs: ['create'], singularName: '' });
    expect(doc.resources.find((r: { name: string }) => r.name === 'namespaces')).toMatchObject({ namespaced: false });
  });

  it('/apis/apps/v1 reports deployments/scale as autoscaling/v1 Scale', () => {
    const { doc } = json('/apis/apps/v1');
    expect(doc.groupVersion).toBe('apps/v1');
    const scale = doc.resources.find((r: { name: string }) => r.name === 'deployments/scale');
    expect(scale).toEqual({
      name: 'deployments/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    expect(doc.resources.find((r: { name: string }) => r.name === 'deployments/status')).toMatchObject({ kind: 'Deployment' });
  });

  it('unknown group versions and non-discovery paths are not handled', () => {
    expect(discoveryResponse('/apis/apps/v2', undefined, sampleResources)).toBeUndefined();
    expect(discoveryResponse('/apis/batch', undefined, sampleResources)).toBeUndefined();
    expect(discoveryResponse('/api/v1/pods', undefined, sampleResources)).toBeUndefined();
    expect(discoveryResponse('/healthz', undefined, sampleResources)).toBeUndefined();
  });

  it('answers 406 with a Status when nothing acceptable is offered', () => {
    const res = discoveryResponse('/api/v1', 'application/vnd.kubernetes.protobuf', sampleResources)!;
    expect(res.status).toBe(406);
    expect(JSON.parse(res.body.toString())).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
  });
});

describe('aggregated discovery', () => {
  it('/apis as APIGroupDiscoveryList v2', () => {
    const { res, doc } = json('/apis', KUBECTL_ACCEPT);
    expect(res.contentType).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2');
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    expect(doc.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['apps', 'coordination.k8s.io']);
    const deployments = doc.items[0].versions[0].resources[0];
    expect(doc.items[0].versions[0]).toMatchObject({ version: 'v1', freshness: 'Current' });
    expect(deployments).toMatchObject({
      resource: 'deployments',
      responseKind: { group: '', version: '', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      shortNames: ['deploy'],
      categories: ['all'],
    });
    expect(deployments.subresources).toEqual([
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
      { subresource: 'status', responseKind: { group: '', version: '', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
    ]);
  });

  it('/api as one nameless group; v2beta1 on request', () => {
    const { res, doc } = json('/api', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    expect(res.contentType).toContain('v=v2beta1');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(doc.items).toHaveLength(1);
    expect(doc.items[0].metadata.name).toBeUndefined();
    const resources = doc.items[0].versions[0].resources;
    expect(resources.map((r: { resource: string }) => r.resource)).toEqual(['namespaces', 'pods']);
    expect(resources[0].scope).toBe('Cluster');
  });

  it('caches: the same request returns the same document object', () => {
    const a = discoveryResponse('/apis', KUBECTL_ACCEPT, sampleResources);
    const b = discoveryResponse('/apis', KUBECTL_ACCEPT, sampleResources);
    expect(a).toBe(b);
  });
});

describe('subresourcesOf', () => {
  it('derives status and scale from the def', () => {
    const lease = sampleResources.find((r) => r.plural === 'leases')!;
    expect(subresourcesOf(lease)).toEqual([]);
  });
});
