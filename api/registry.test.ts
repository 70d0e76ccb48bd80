import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decode, validateObject } from './decode.js';
import { patchMetaOf } from './meta/patch-meta.js';
import { events, findByKind, findResource, pods, replicaSets, resources } from './registry.js';
import { Container } from './types/container.js';
import { PodSpec, PodStatus } from './types/pod.js';
import { ServiceSpec } from './types/service.js';

describe('resources', () => {
  it('lists every served kind once', () => {
    const kinds = resources.map((r) => `${r.group}/${r.kind}`).sort();
    expect(kinds).toEqual([
      '/ConfigMap', '/Endpoints', '/Event', '/Namespace', '/Node', '/Pod', '/Secret', '/Service', '/ServiceAccount',
      'apps/Deployment', 'apps/ReplicaSet',
      'authorization.k8s.io/LocalSubjectAccessReview', 'authorization.k8s.io/SelfSubjectAccessReview',
      'authorization.k8s.io/SelfSubjectRulesReview', 'authorization.k8s.io/SubjectAccessReview',
      'certificates.k8s.io/CertificateSigningRequest', 'coordination.k8s.io/Lease',
      'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
      'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/RoleBinding',
    ]);
  });

  it('finds resources by plural and by kind', () => {
    expect(findResource('apps', 'v1', 'deployments')?.kind).toBe('Deployment');
    expect(findResource('', 'v1', 'deployments')).toBeUndefined();
    expect(findByKind('v1', 'Pod')?.plural).toBe('pods');
    expect(findByKind('coordination.k8s.io/v1', 'Lease')?.namespaced).toBe(true);
    expect(findByKind('apps/v1', 'Pod')).toBeUndefined();
  });

  it('carries short names, categories, status and scale subresources as Kubernetes does', () => {
    const byPlural = Object.fromEntries(resources.map((r) => [r.plural, r]));
    expect(Object.fromEntries(resources.filter((r) => r.shortNames).map((r) => [r.plural, r.shortNames]))).toEqual({
      pods: ['po'], nodes: ['no'], namespaces: ['ns'], events: ['ev'], configmaps: ['cm'], services: ['svc'],
      endpoints: ['ep'], serviceaccounts: ['sa'], deployments: ['deploy'], replicasets: ['rs'], certificatesigningrequests: ['csr'],
    });
    expect(resources.filter((r) => r.categories?.includes('all')).map((r) => r.plural).sort()).toEqual(['deployments', 'pods', 'replicasets', 'services']);
    expect(resources.filter((r) => r.hasStatus).map((r) => r.plural).sort()).toEqual(['certificatesigningrequests', 'deployments', 'namespaces', 'nodes', 'pods', 'replicasets', 'services']);
    expect(byPlural['deployments']!.scale).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
    expect(byPlural['pods']!.scale).toBeUndefined();
  });

  it('produces a JSON schema for every resource (for OpenAPI)', () => {
    for (const r of resources) {
      const schema = z.toJSONSchema(r.schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
      expect(Object.keys(schema.properties ?? {})).toContain('metadata');
    }
  });
});

describe('field attributes', () => {
  it('exposes pod fields for field selectors', () => {
    const { object } = decode(pods, {
      metadata: { name: 'p', namespace: 'default' },
      spec: { nodeName: 'worker-1', containers: [{ name: 'c', image: 'x' }] },
      status: { phase: 'Running', podIP: '10.244.1.5' },
    });
    expect(pods.fieldAttributes!(object)).toEqual({
      'spec.nodeName': 'worker-1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': '',
      'spec.hostNetwork': 'false',
      'status.phase': 'Running',
      'status.podIP': '10.244.1.5',
      'status.nominatedNodeName': '',
    });
  });

  it('exposes event and replicaset fields', () => {
    const { object: ev } = decode(events, {
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Scheduled',
      source: { component: 'default-scheduler' },
      type: 'Normal',
    });
    expect(events.fieldAttributes!(ev)).toMatchObject({ 'involvedObject.kind': 'Pod', 'involvedObject.name': 'p', reason: 'Scheduled', source: 'default-scheduler', type: 'Normal' });
    const { object: rs } = decode(replicaSets, {
      metadata: { name: 'rs', namespace: 'default' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    expect(replicaSets.fieldAttributes!(rs)).toEqual({ 'status.replicas': '0' });
  });
});

describe('patch metadata', () => {
  it('follows the Kubernetes patch strategies of list fields', () => {
    const shape = PodSpec.shape;
    expect(patchMetaOf(shape.containers)).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' });
    expect(patchMetaOf(shape.volumes)).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name' });
    expect(patchMetaOf(shape.imagePullSecrets)).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name' });
    expect(patchMetaOf(shape.tolerations)).toEqual({});
    const c = Container.shape;
    expect(patchMetaOf(c.env)).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name' });
    expect(patchMetaOf(c.ports)).toMatchObject({ 'x-kubernetes-patch-merge-key': 'containerPort' });
    expect(patchMetaOf(c.volumeMounts)).toMatchObject({ 'x-kubernetes-patch-merge-key': 'mountPath' });
    expect(patchMetaOf(c.args)).toEqual({ 'x-kubernetes-list-type': 'atomic' });
    expect(patchMetaOf(PodStatus.shape.conditions)).toMatchObject({ 'x-kubernetes-patch-merge-key': 'type' });
    expect(patchMetaOf(ServiceSpec.shape.ports)).toMatchObject({ 'x-kubernetes-patch-merge-key': 'port' });
  });
});

describe('namespace strategy', () => {
  it('adds the kubernetes finalizer at creation only', () => {
    const ns = findByKind('v1', 'Namespace')!;
    const { object: created } = decode(ns, { metadata: { name: 'team-a' } });
    validateObject(ns, created);
    expect(created.spec).toEqual({ finalizers: ['kubernetes'] });
    const { object: finalized } = decode(ns, { metadata: { name: 'team-a', resourceVersion: '42' }, spec: { finalizers: [] } });
    validateObject(ns, finalized);
    expect(finalized.spec).toEqual({ finalizers: [] });
  });
});

describe('pod strategy', () => {
  it('starts a new pod Pending with its QoS class, and keeps an existing status', () => {
    const { object } = decode(pods, { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    expect(object.status).toBeUndefined();
    validateObject(pods, object);
    expect(object.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const { object: fromKubectl } = decode(pods, { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: {} });
    validateObject(pods, fromKubectl);
    expect(fromKubectl.status?.phase).toBe('Pending');
    object.status = { phase: 'Running' };
    validateObject(pods, object);
    expect(object.status).toEqual({ phase: 'Running' });
  });
});

describe('name rules per kind', () => {
  it('uses DNS labels for namespaces and subdomains for most kinds', () => {
    const ns = findByKind('v1', 'Namespace')!;
    const { object } = decode(ns, { metadata: { name: 'team.a' } });
    expect(() => validateObject(ns, object)).toThrow(/a lowercase RFC 1123 label/);
    const cm = findByKind('v1', 'ConfigMap')!;
    const { object: config } = decode(cm, { metadata: { name: 'team.a', namespace: 'default' } });
    expect(() => validateObject(cm, config)).not.toThrow();
  });
});
