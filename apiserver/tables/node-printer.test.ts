import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { nodePrinter } from './node-printer.js';

const now = new Date('2026-01-10T12:00:00Z');

function node(meta: Record<string, unknown>, spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp-1', creationTimestamp: '2025-12-20T12:00:00Z', ...meta }, spec, status };
}

const info = {
  kubeletVersion: 'v1.32.0-tkube',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0-28-amd64',
  containerRuntimeVersion: 'tkube://0.1.0',
};

describe('node table row', () => {
  it('prints a ready control-plane node with its addresses and system info', () => {
    const n = node(
      { labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'cp-1' } },
      {},
      {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        addresses: [
          { type: 'Hostname', address: 'cp-1' },
          { type: 'InternalIP', address: '192.168.56.10' },
          { type: 'InternalIP', address: '192.168.57.10' },
        ],
        nodeInfo: info,
      },
    );
    expect(nodePrinter.print(n, { now }).cells).toEqual([
      'cp-1',
      'Ready',
      'control-plane',
      '21d',
      'v1.32.0-tkube',
      '192.168.56.10',
      '<none>',
      'Debian GNU/Linux 12 (bookworm)',
      '6.1.0-28-amd64',
      'tkube://0.1.0',
    ]);
  });

  it('prints NotReady and SchedulingDisabled for a cordoned node that stopped reporting', () => {
    const n = node(
      { name: 'worker-2', labels: { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/ingress': 'true' } },
      { unschedulable: true },
      { conditions: [{ type: 'Ready', status: 'Unknown' }], addresses: [{ type: 'ExternalIP', address: '203.0.113.7' }], nodeInfo: info },
    );
    expect(nodePrinter.print(n, { now }).cells.slice(0, 7)).toEqual(['worker-2', 'NotReady,SchedulingDisabled', 'ingress,worker', '21d', 'v1.32.0-tkube', '<none>', '203.0.113.7']);
  });

  it('prints Unknown and placeholders for a node that never reported status', () => {
    const n = node({ name: 'fresh', labels: { 'node-role.kubernetes.io/': '' } }, {}, {});
    expect(nodePrinter.print(n, { now }).cells).toEqual(['fresh', 'Unknown', '<none>', '21d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });

  it('declares the wide columns at priority 1', () => {
    expect(nodePrinter.columns.filter((c) => c.priority === 1).map((c) => c.name)).toEqual([
      'Internal-IP',
      'External-IP',
      'OS-Image',
      'Kernel-Version',
      'Container-Runtime',
    ]);
  });
});
