import { describe, expect, it } from 'vitest';
import type { Lease } from '../../api/types/lease.js';
import type { Node } from '../../api/types/node.js';
import { HeartbeatTracker, heartbeatOf, readyStatus, silentNodeConditions } from './node-health.js';

const node = (conditions?: NonNullable<Node['status']>['conditions']): Node =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', creationTimestamp: 'CREATED' }, spec: {}, status: { conditions } }) as Node;
const lease = (renewTime: string): Lease => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n' }, spec: { renewTime } });

describe('HeartbeatTracker', () => {
  it('dates a heartbeat by when it was seen to change, not by its own timestamp', () => {
    const t = new HeartbeatTracker();
    expect(t.observe('n', 'a', 1000)).toBe(1000);
    expect(t.observe('n', 'a', 5000)).toBe(1000);
    expect(t.observe('n', 'b', 7000)).toBe(7000);
    t.forget('n');
    expect(t.observe('n', 'b', 9000)).toBe(9000);
  });

  it('counts a lease renewal and a Ready heartbeat as signs of life', () => {
    const ready = node([{ type: 'Ready', status: 'True', lastHeartbeatTime: 'H1' }]);
    expect(heartbeatOf(ready, lease('R1'))).not.toBe(heartbeatOf(ready, lease('R2')));
    expect(heartbeatOf(ready, undefined)).not.toBe(heartbeatOf(node([{ type: 'Ready', status: 'True', lastHeartbeatTime: 'H2' }]), undefined));
    expect(readyStatus(ready)).toBe('True');
  });
});

describe('silentNodeConditions', () => {
  it('turns the kubelet conditions Unknown with Kubernetes reasons, keeping heartbeats and other conditions', () => {
    const n = node([
      { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: 'H', lastTransitionTime: 'T' },
      { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: 'H' },
      { type: 'NetworkUnavailable', status: 'False' },
    ]);
    const out = silentNodeConditions(n, 'NOW')!;
    const ready = out.find((c) => c.type === 'Ready')!;
    expect(ready).toEqual({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: 'H', lastTransitionTime: 'NOW' });
    expect(out.find((c) => c.type === 'NetworkUnavailable')?.status).toBe('False');
    expect(out.find((c) => c.type === 'DiskPressure')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', lastHeartbeatTime: 'CREATED' });
    expect(out.filter((c) => c.status === 'Unknown').map((c) => c.type).sort()).toEqual(['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
  });

  it('changes nothing once they are Unknown', () => {
    const once = silentNodeConditions(node(), 'NOW')!;
    expect(silentNodeConditions(node(once), 'LATER')).toBeUndefined();
  });
});
