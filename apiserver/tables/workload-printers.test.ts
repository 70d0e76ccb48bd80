import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { deploymentPrinter, replicaSetPrinter } from './workload-printers.js';

const now = new Date('2026-01-10T12:00:00Z');
const ctx = { now };
const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'nginx', image: 'nginx:1.27' },
      { name: 'log', image: 'busybox:1.36' },
    ],
  },
};

describe('deployment table row', () => {
  it('prints a deployment in the middle of a rolling update', () => {
    const deploy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-07T08:00:00Z', generation: 4 },
      spec: { replicas: 5, selector: { matchLabels: { app: 'web' } }, template, strategy: { type: 'RollingUpdate' } },
      status: { observedGeneration: 4, replicas: 6, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 2 },
    };
    expect(deploymentPrinter.print(deploy, ctx).cells).toEqual(['web', '4/5', 2, 4, '3d4h', 'nginx,log', 'nginx:1.27,busybox:1.36', 'app=web']);
  });

  it('prints a new deployment without status, scaled to zero, with an expression selector', () => {
    const deploy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'idle', creationTimestamp: '2026-01-10T11:59:50Z' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'idle' }, matchExpressions: [{ key: 'track', operator: 'In', values: ['stable', 'canary'] }] },
        template,
      },
    };
    expect(deploymentPrinter.print(deploy, ctx).cells).toEqual(['idle', '0/0', 0, 0, '10s', 'nginx,log', 'nginx:1.27,busybox:1.36', 'app=idle,track in (canary,stable)']);
  });

  it('prints <invalid> for a selector that cannot be parsed', () => {
    const deploy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad' },
      spec: { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, template },
    };
    expect(deploymentPrinter.print(deploy, ctx).cells).toEqual(['bad', '0/1', 0, 0, '<unknown>', 'nginx,log', 'nginx:1.27,busybox:1.36', '<invalid>']);
  });

  it('declares READY, UP-TO-DATE, AVAILABLE, AGE and the wide columns', () => {
    expect(deploymentPrinter.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Up-to-date:0',
      'Available:0',
      'Age:0',
      'Containers:1',
      'Images:1',
      'Selector:1',
    ]);
  });
});

describe('replicaset table row', () => {
  const rs = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-7d9f8b6c5', namespace: 'default', creationTimestamp: '2026-01-10T11:45:00Z' },
    spec: { template, ...spec },
    ...(status ? { status } : {}),
  });

  it('prints desired, current and ready replicas as integers', () => {
    const row = replicaSetPrinter.print(rs({ replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d9f8b6c5' } } }, { replicas: 3, readyReplicas: 2 }), ctx);
    expect(row.cells).toEqual(['web-7d9f8b6c5', 3, 3, 2, '15m', 'nginx,log', 'nginx:1.27,busybox:1.36', 'app=web,pod-template-hash=7d9f8b6c5']);
  });

  it('reads missing status as zero and an empty selector as <none>', () => {
    expect(replicaSetPrinter.print(rs({ replicas: 2, selector: {} }), ctx).cells).toEqual(['web-7d9f8b6c5', 2, 0, 0, '15m', 'nginx,log', 'nginx:1.27,busybox:1.36', '<none>']);
  });

  it('declares integer replica columns', () => {
    expect(replicaSetPrinter.columns.map((c) => `${c.name}:${c.type}:${c.priority}`)).toEqual([
      'Name:string:0',
      'Desired:integer:0',
      'Current:integer:0',
      'Ready:integer:0',
      'Age:string:0',
      'Containers:string:1',
      'Images:string:1',
      'Selector:string:1',
    ]);
  });
});
