import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { coreEventPrinter, eventsV1Printer } from './event-printer.js';

const now = new Date('2026-01-10T12:00:00Z');
const ctx = { now };

describe('event table row', () => {
  it('prints a repeated core/v1 event with every column', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-7d9f8b6c5-x2k4p.181a2b3c4d5e6f70', namespace: 'default', creationTimestamp: '2026-01-10T11:40:00Z' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-7d9f8b6c5-x2k4p', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod web-7d9f8b6c5-x2k4p\n',
      type: 'Warning',
      source: { component: 'kubelet', host: 'node-a' },
      firstTimestamp: '2026-01-10T11:40:00Z',
      lastTimestamp: '2026-01-10T11:59:15Z',
      count: 42,
    };
    expect(coreEventPrinter.print(ev, ctx).cells).toEqual([
      '45s',
      'Warning',
      'BackOff',
      'pod/web-7d9f8b6c5-x2k4p',
      'spec.containers{app}',
      'kubelet, node-a',
      'Back-off restarting failed container app in pod web-7d9f8b6c5-x2k4p',
      '20m',
      42,
      'web-7d9f8b6c5-x2k4p.181a2b3c4d5e6f70',
    ]);
  });

  it('falls back to eventTime, the reporting controller and a count of 1', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'default' },
      involvedObject: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-7d9f8b6c5 to 3',
      type: 'Normal',
      eventTime: '2026-01-10T11:57:30.123456Z',
      reportingComponent: 'deployment-controller',
      reportingInstance: '',
      source: {},
    };
    expect(coreEventPrinter.print(ev, ctx).cells).toEqual([
      '2m29s', // 149.877s: units truncate
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      '',
      'deployment-controller',
      'Scaled up replica set web-7d9f8b6c5 to 3',
      '2m29s', // 149.877s: units truncate
      1,
      'web.1',
    ]);
  });

  it('uses the series for last seen and count, and prints <unknown> without any time', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'n.1' },
      involvedObject: { kind: 'Node' },
      reason: 'NodeNotReady',
      type: 'Normal',
      series: { count: 7, lastObservedTime: '2026-01-10T11:59:00.000000Z' },
    };
    const cells = coreEventPrinter.print(ev, ctx).cells;
    expect(cells.slice(0, 4)).toEqual(['60s', 'Normal', 'NodeNotReady', 'node']);
    expect(cells.slice(7, 9)).toEqual(['<unknown>', 7]);
  });

  it('reads events.k8s.io/v1 field names', () => {
    const ev: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web.2', namespace: 'default' },
      eventTime: '2026-01-10T11:59:50.000000Z',
      reportingController: 'tkube.io/scheduler',
      reportingInstance: 'scheduler-cp-1',
      action: 'Binding',
      reason: 'Scheduled',
      regarding: { kind: 'Pod', name: 'web-abc' },
      note: 'Successfully assigned default/web-abc to node-a',
      type: 'Normal',
    };
    expect(eventsV1Printer.print(ev, ctx).cells).toEqual([
      '10s',
      'Normal',
      'Scheduled',
      'pod/web-abc',
      '',
      'tkube.io/scheduler, scheduler-cp-1',
      'Successfully assigned default/web-abc to node-a',
      '10s',
      1,
      'web.2',
    ]);
  });

  it('declares the kubectl column order with wide columns interleaved', () => {
    expect(coreEventPrinter.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Last Seen:0',
      'Type:0',
      'Reason:0',
      'Object:0',
      'Subobject:1',
      'Source:1',
      'Message:0',
      'First Seen:1',
      'Count:1',
      'Name:1',
    ]);
  });
});
