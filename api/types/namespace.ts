/** core/v1 Namespace. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { Time, conditionList, listOf, typeMeta } from './common.js';

export const NamespaceCondition = z.strictObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  lastTransitionTime: Time.optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export const Namespace = z
  .strictObject({
    ...typeMeta('v1', 'Namespace'),
    metadata: ObjectMeta,
    spec: z
      .strictObject({
        finalizers: z.array(z.string()).optional().describe('Must be empty before the namespace is removed from storage.'),
      })
      .optional(),
    status: z
      .strictObject({
        phase: z.enum(['Active', 'Terminating']).optional().describe('Active or Terminating.'),
        conditions: conditionList(NamespaceCondition).optional(),
      })
      .optional(),
  })
  .describe('A scope for names; most objects live in one.');
export type Namespace = z.infer<typeof Namespace>;
export type NamespaceInput = z.input<typeof Namespace>;
export const NamespaceList = listOf('v1', 'Namespace', Namespace);
