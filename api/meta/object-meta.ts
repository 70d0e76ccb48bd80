/** meta/v1 ObjectMeta, OwnerReference, ListMeta: the parts every object shares. */
import { z } from 'zod';
import { mergeList, mergeSet } from './patch-meta.js';

export const OwnerReference = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof OwnerReference>;

export const ManagedFieldsEntry = z.strictObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  apiVersion: z.string().optional(),
  time: z.string().optional(),
  fieldsType: z.string().optional(),
  fieldsV1: z.record(z.string(), z.unknown()).optional(),
  subresource: z.string().optional(),
});

export const ObjectMeta = z.strictObject({
  name: z.string().optional().describe('Name unique within a namespace; DNS subdomain for most kinds.'),
  generateName: z.string().optional().describe('Prefix from which the server generates a unique name when name is empty.'),
  namespace: z.string().optional().describe('The namespace the object lives in; empty for cluster-scoped objects.'),
  selfLink: z.string().optional(),
  uid: z.string().optional().describe('Unique id the server assigns at creation; never reused.'),
  resourceVersion: z.string().optional().describe('Opaque version used for optimistic concurrency and watches (the etcd revision).'),
  generation: z.number().int().optional().describe('Sequence number of the desired state (spec); bumped by the server on spec changes.'),
  creationTimestamp: z.string().nullable().optional(),
  deletionTimestamp: z.string().nullable().optional(),
  deletionGracePeriodSeconds: z.number().int().nullable().optional(),
  labels: z.record(z.string(), z.string()).nullable().optional().describe('Key/value pairs used to select objects.'),
  annotations: z.record(z.string(), z.string()).nullable().optional().describe('Non-identifying key/value metadata for tools.'),
  ownerReferences: mergeList(OwnerReference, 'uid').nullable().optional().describe('Objects this one depends on; used by the garbage collector.'),
  finalizers: mergeSet(z.string()).nullable().optional().describe('Must be empty before the object is removed from storage.'),
  managedFields: z.array(ManagedFieldsEntry).nullable().optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const ListMeta = z.object({
  resourceVersion: z.string().optional(),
  continue: z.string().optional(),
  remainingItemCount: z.number().int().optional(),
  selfLink: z.string().optional(),
});
export type ListMeta = z.infer<typeof ListMeta>;

/** Any stored object: apiVersion, kind and metadata are always present once decoded. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** "namespace/name", or "name" for cluster-scoped objects: the key controllers reconcile. */
export function objectKey(obj: { metadata: ObjectMeta }): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : name ?? '';
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
