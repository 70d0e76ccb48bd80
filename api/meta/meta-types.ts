/**
 * meta/v1 types that are not stored objects: DeleteOptions (decoded from request
 * bodies, so a schema), Status, Table, WatchEvent and the discovery documents.
 */
import { z } from 'zod';
import type { ListMeta, ObjectMeta } from './object-meta.js';
import type { Status } from './errors.js';

export const Preconditions = z.strictObject({
  uid: z.string().optional().describe('The object is deleted only if its uid matches.'),
  resourceVersion: z.string().optional().describe('The object is deleted only if its resourceVersion matches.'),
});

export const PropagationPolicy = z.enum(['Orphan', 'Background', 'Foreground']);
export type PropagationPolicy = z.infer<typeof PropagationPolicy>;

export const DeleteOptions = z
  .strictObject({
    kind: z.string().optional(),
    apiVersion: z.string().optional(),
    gracePeriodSeconds: z.number().int().optional().describe('Seconds before the object is deleted; 0 means now.'),
    preconditions: Preconditions.optional(),
    orphanDependents: z.boolean().optional().describe('Deprecated: use propagationPolicy Orphan.'),
    propagationPolicy: PropagationPolicy.optional().describe('Orphan, Background or Foreground garbage collection of dependents.'),
    dryRun: z.array(z.string()).optional(),
    ignoreStoreReadErrorWithClusterBreakingPotential: z.boolean().optional(),
  })
  .describe('Options for a delete request.');
export type DeleteOptions = z.infer<typeof DeleteOptions>;

/** The Status schema, for bodies and the OpenAPI document; ApiError builds the values. */
export const StatusSchema = z.strictObject({
  kind: z.literal('Status').optional(),
  apiVersion: z.string().optional(),
  metadata: z
    .strictObject({ resourceVersion: z.string().optional(), continue: z.string().optional(), selfLink: z.string().optional(), remainingItemCount: z.number().int().optional() })
    .optional(),
  status: z.string().optional().describe('Success or Failure.'),
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z
    .strictObject({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
      uid: z.string().optional(),
      causes: z
        .array(z.strictObject({ reason: z.string().optional(), message: z.string().optional(), field: z.string().optional() }))
        .optional(),
      retryAfterSeconds: z.number().int().optional(),
    })
    .optional(),
  code: z.number().int().optional(),
});
export type { Status };

export interface TableColumnDefinition {
  name: string;
  type: string; // "string", "integer", "date", ...
  format: string; // "name" for the name column
  description: string;
  priority: number; // 0 = shown by default, >0 = only with -o wide
}

export interface TableRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  /** The object (or PartialObjectMetadata) when includeObject asks for it. */
  object?: unknown;
}

/** meta.k8s.io/v1 Table: what `kubectl get` asks for with Accept: application/json;as=Table. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

/** A watch event on the wire; ERROR events carry a Status. */
export interface WatchEventBody<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T | Status;
}

export interface APIResource {
  name: string; // "deployments" or "deployments/status"
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

export interface APIVersions {
  kind: 'APIVersions';
  apiVersion?: 'v1';
  versions: string[];
  serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[];
}
