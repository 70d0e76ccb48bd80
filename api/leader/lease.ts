/** The coordination.k8s.io/v1 Lease as leader election and node heartbeats use it. */
import type { ResourceRef } from '../client/types.js';
import type { KubeObject } from '../meta/object-meta.js';

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export const leasesRef: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' };

/** meta/v1 MicroTime: RFC 3339 with exactly six fractional digits, "2006-01-02T15:04:05.000000Z". */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
