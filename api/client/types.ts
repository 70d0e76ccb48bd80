/** Option and helper types of the REST client, named as in Kubernetes' meta/v1. */
import type { KubeObject, ObjectMeta } from '../meta/object-meta.js';
import type { ResourceDef } from '../resource.js';

/** What the client needs of a ResourceDef to build URLs. */
export type ResourceRef = Pick<ResourceDef, 'group' | 'version' | 'plural' | 'namespaced'> & Partial<Pick<ResourceDef, 'kind'>>;

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Watch one object: adds fieldSelector metadata.name=<name>. */
  name?: string;
  signal?: AbortSignal;
}

export interface WriteOptions {
  dryRun?: 'All';
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  signal?: AbortSignal;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: 'All';
  signal?: AbortSignal;
}

/** autoscaling/v1 Scale. */
export interface Scale {
  apiVersion: string;
  kind: 'Scale';
  metadata: ObjectMeta;
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** A Scale is a KubeObject too (for typing helpers that take any object). */
export type ScaleObject = Scale & KubeObject;
