/**
 * Building blocks shared by several API types: quantities, int-or-string, label
 * selectors, object references and the apiVersion/kind header every object carries.
 */
import { z } from 'zod';
import { mergeList } from '../meta/patch-meta.js';

/** A resource quantity ("100m", "128Mi", 2). Kept exactly as the client sent it. */
export const Quantity = z
  .union([z.string(), z.number()])
  .describe('A resource amount such as "500m", "128Mi" or 2, kept as given.');
export type Quantity = z.infer<typeof Quantity>;

/** An int32 or a string: a port number or name, a count or a percentage ("25%"). */
export const IntOrString = z.union([z.number().int(), z.string()]).describe('An integer or a string such as a port name or "25%".');
export type IntOrString = z.infer<typeof IntOrString>;

/** RFC 3339 timestamp as Kubernetes serializes metav1.Time. */
export const Time = z.string().describe('RFC 3339 timestamp.');

/** Resource name ("cpu", "memory", ...) to quantity. */
export const ResourceList = z.record(z.string(), Quantity);
export type ResourceList = z.infer<typeof ResourceList>;

export const StringMap = z.record(z.string(), z.string());

export const LabelSelectorRequirement = z.strictObject({
  key: z.string().describe('The label key the requirement applies to.'),
  operator: z.string().describe('In, NotIn, Exists or DoesNotExist.'),
  values: z.array(z.string()).optional().describe('Values for In and NotIn; empty for Exists and DoesNotExist.'),
});
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirement>;

export const LabelSelector = z
  .strictObject({
    matchLabels: StringMap.optional().describe('Labels an object must carry, each key equal to its value.'),
    matchExpressions: z.array(LabelSelectorRequirement).optional().describe('Requirements that must all hold.'),
  })
  .describe('A label query; all of matchLabels and matchExpressions must match. Empty matches everything.');
export type LabelSelector = z.infer<typeof LabelSelector>;

export const ObjectReference = z
  .strictObject({
    kind: z.string().optional(),
    namespace: z.string().optional(),
    name: z.string().optional(),
    uid: z.string().optional(),
    apiVersion: z.string().optional(),
    resourceVersion: z.string().optional(),
    fieldPath: z.string().optional().describe('A part of the object, such as spec.containers{web}.'),
  })
  .describe('A reference to another object.');
export type ObjectReference = z.infer<typeof ObjectReference>;

export const LocalObjectReference = z.strictObject({
  name: z.string().optional().describe('Name of the referenced object in the same namespace.'),
});
export type LocalObjectReference = z.infer<typeof LocalObjectReference>;

/** The condition shape shared by pods, nodes, deployments, ...: one entry per type. */
export function conditionList<T extends z.ZodType>(condition: T) {
  return mergeList(condition, 'type');
}

/** apiVersion and kind of a top-level object; filled in when the client left them out. */
export function typeMeta(apiVersion: string, kind: string) {
  return {
    apiVersion: z.string().default(apiVersion).describe('Versioned schema of this representation, e.g. ' + JSON.stringify(apiVersion) + '.'),
    kind: z.string().default(kind).describe('The REST resource type this object represents, e.g. ' + JSON.stringify(kind) + '.'),
  };
}

/** apiVersion and kind of a list: the item kind with "List" appended. */
export function listOf<T extends z.ZodType>(apiVersion: string, kind: string, item: T) {
  return z.strictObject({
    apiVersion: z.string().default(apiVersion),
    kind: z.string().default(`${kind}List`),
    metadata: z
      .strictObject({
        resourceVersion: z.string().optional(),
        continue: z.string().optional(),
        remainingItemCount: z.number().int().optional(),
        selfLink: z.string().optional(),
      })
      .default({}),
    items: z.array(item),
  });
}
