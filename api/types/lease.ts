/** coordination.k8s.io/v1 Lease: node heartbeats and leader election. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { listOf, typeMeta } from './common.js';

export const LeaseSpec = z
  .strictObject({
    holderIdentity: z.string().optional().describe('Identity of the current holder.'),
    leaseDurationSeconds: z.number().int().optional().describe('Seconds candidates wait before taking the lease over.'),
    acquireTime: z.string().optional().describe('When the current holder acquired the lease (RFC 3339, microseconds).'),
    renewTime: z.string().optional().describe('When the holder last renewed the lease.'),
    leaseTransitions: z.number().int().optional().describe('How many times the lease changed hands.'),
    strategy: z.string().optional(),
    preferredHolder: z.string().optional(),
  })
  .describe('Desired state of a lease.');

export const Lease = z
  .strictObject({
    ...typeMeta('coordination.k8s.io/v1', 'Lease'),
    metadata: ObjectMeta,
    spec: LeaseSpec.default({}),
  })
  .describe('A lease held by one component at a time.');
export type Lease = z.infer<typeof Lease>;
export type LeaseInput = z.input<typeof Lease>;
export const LeaseList = listOf('coordination.k8s.io/v1', 'Lease', Lease);
