// Validation of the smaller kinds: Node, Namespace, Event, Lease, and the Binding and Scale bodies.
import { describe, expect, it } from 'vitest';
import { Event } from './event.js';
import { validateEvent } from './event-validation.js';
import { Lease } from './lease.js';
import { validateLease } from './lease-validation.js';
import { Namespace } from './namespace.js';
import { validateNamespace } from './namespace-validation.js';
import { Node, applyNodeDefaults } from './node.js';
import { validateNode, validateNodeUpdate } from './node-validation.js';
import { Binding, Scale } from './subresources.js';
import { validateBinding, validateScale } from './subresource-validation.js';

describe('Node', () => {
  it('accepts a node as the kubelet registers it', () => {
    const node = Node.parse({
      metadata: { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1' } },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
      status: {
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '3Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z', reason: 'KubeletReady' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'worker-1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: 'm', systemUUID: 'u', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', containerRuntimeVersion: 'tkube://0.1',
          kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
        },
      },
    });
    expect(validateNode(node)).toEqual([]);
  });

  it('defaults allocatable to capacity', () => {
    const node = Node.parse({ metadata: { name: 'n' }, status: { capacity: { cpu: '2', pods: '110' } } });
    applyNodeDefaults(node);
    expect(node.status?.allocatable).toEqual({ cpu: '2', pods: '110' });
    const bare = Node.parse({ metadata: { name: 'n' } });
    applyNodeDefaults(bare);
    expect(bare.status).toBeUndefined();
  });

  it('checks CIDRs and duplicate taints', () => {
    const node = Node.parse({
      metadata: { name: 'n' },
      spec: { podCIDR: '10.244.1.0/33', taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }] },
    });
    expect(validateNode(node)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "10.244.1.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)', field: 'spec.podCIDR' },
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "a:NoSchedule"', field: 'spec.taints[1]' },
    ]);
  });

  it('lets podCIDR and providerID be set once', () => {
    const empty = Node.parse({ metadata: { name: 'n' } });
    const set = Node.parse({ metadata: { name: 'n' }, spec: { podCIDR: '10.244.1.0/24', providerID: 'tkube://n' } });
    const changed = Node.parse({ metadata: { name: 'n' }, spec: { podCIDR: '10.244.2.0/24', providerID: 'tkube://m' } });
    expect(validateNodeUpdate(set, empty)).toEqual([]);
    expect(validateNodeUpdate(changed, set).map((c) => c.field)).toEqual(['spec.podCIDR', 'spec.providerID']);
  });
});

describe('Namespace', () => {
  it('checks finalizer names', () => {
    expect(validateNamespace(Namespace.parse({ metadata: { name: 'a' }, spec: { finalizers: ['kubernetes'] } }))).toEqual([]);
    expect(validateNamespace(Namespace.parse({ metadata: { name: 'a' }, spec: { finalizers: ['not valid'] } }))[0]?.field).toBe('spec.finalizers[0]');
  });
});

describe('Event', () => {
  const involvedObject = { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1' };

  it('accepts a kubelet-style event', () => {
    const ev = Event.parse({
      metadata: { name: 'web-1.17f0a', namespace: 'default' },
      involvedObject,
      reason: 'Pulled',
      message: 'Container image "nginx" already present on machine',
      source: { component: 'kubelet', host: 'worker-1' },
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:00:00Z',
      count: 1,
      type: 'Normal',
    });
    expect(validateEvent(ev)).toEqual([]);
  });

  it('requires the event to live in the namespace of its object', () => {
    const ev = Event.parse({ metadata: { name: 'e', namespace: 'other' }, involvedObject });
    expect(validateEvent(ev)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "default": does not match event.namespace', field: 'involvedObject.namespace' },
    ]);
  });

  it('requires reporting fields when eventTime is set', () => {
    const ev = Event.parse({ metadata: { name: 'e', namespace: 'default' }, involvedObject, eventTime: '2026-01-01T00:00:00.000000Z' });
    expect(validateEvent(ev).map((c) => c.field)).toEqual(['reportingComponent', 'reportingInstance', 'action']);
  });
});

describe('Lease', () => {
  it('checks durations and times', () => {
    const ok = Lease.parse({ metadata: { name: 'worker-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.123456Z' } });
    expect(validateLease(ok)).toEqual([]);
    const bad = Lease.parse({ metadata: { name: 'l', namespace: 'default' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1, renewTime: 'yesterday' } });
    expect(validateLease(bad)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than 0', field: 'spec.leaseDurationSeconds' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.leaseTransitions' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "yesterday": must be an RFC 3339 time', field: 'spec.renewTime' },
    ]);
  });
});

describe('Binding and Scale', () => {
  it('requires a node target for a binding', () => {
    expect(validateBinding(Binding.parse({ metadata: { name: 'p' }, target: { kind: 'Node', name: 'worker-1' } }))).toEqual([]);
    expect(validateBinding(Binding.parse({ metadata: { name: 'p' }, target: { kind: 'Pod' } })).map((c) => c.field)).toEqual(['target.kind', 'target.name']);
  });

  it('requires non-negative replicas in a scale', () => {
    const scale = Scale.parse({ metadata: { name: 'web' }, spec: { replicas: -1 } });
    expect(scale.apiVersion).toBe('autoscaling/v1');
    expect(validateScale(scale)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
    ]);
  });
});
