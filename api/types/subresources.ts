/** Bodies of subresources: pods/binding (core/v1 Binding) and the scale subresource (autoscaling/v1 Scale). */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { ObjectReference, typeMeta } from './common.js';

export const Binding = z
  .strictObject({
    ...typeMeta('v1', 'Binding'),
    metadata: ObjectMeta,
    target: ObjectReference.describe('The node to bind the pod to (kind Node, name).'),
  })
  .describe('Binds a pod to a node; posted to pods/{name}/binding by the scheduler.');
export type Binding = z.infer<typeof Binding>;
export type BindingInput = z.input<typeof Binding>;

export const Scale = z
  .strictObject({
    ...typeMeta('autoscaling/v1', 'Scale'),
    metadata: ObjectMeta,
    spec: z.strictObject({ replicas: z.number().int().optional().describe('Desired number of replicas.') }).default({}),
    status: z
      .strictObject({
        replicas: z.number().int().describe('Observed number of replicas.'),
        selector: z.string().optional().describe('Label selector of the pods, in string form.'),
      })
      .optional(),
  })
  .describe('The scale subresource of a workload.');
export type Scale = z.infer<typeof Scale>;
export type ScaleInput = z.input<typeof Scale>;
