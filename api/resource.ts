/**
 * A ResourceDef describes one served resource: its names, scope, schema and the
 * per-type rules ("strategy" in Kubernetes terms) the apiserver applies around storage.
 * api/registry.ts lists every ResourceDef; discovery, OpenAPI, tables, storage and
 * validation are all driven from that list.
 */
import type { z } from 'zod';
import type { StatusCause } from './meta/errors.js';
import type { KubeObject } from './meta/object-meta.js';

export interface ScaleSubresource {
  /** JSON paths as in CRD scale subresources: ".spec.replicas", ".status.replicas", ".status.selector". */
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceDef<T extends KubeObject = KubeObject> {
  group: string; // '' for core
  version: string; // 'v1'
  kind: string; // 'Deployment'
  listKind: string; // 'DeploymentList'
  plural: string; // 'deployments' (the resource name in URLs and etcd keys)
  singular: string; // 'deployment'
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[]; // 'all' for kubectl get all
  /** Verbs served on the main resource. */
  verbs: string[];
  /** The whole object schema (strict objects, so unknown fields surface as issues), with defaults. */
  schema: z.ZodType<T>;
  /** Has a status subresource: main-resource writes ignore status, status writes ignore everything else. */
  hasStatus: boolean;
  scale?: ScaleSubresource;
  /** Defaults that need more than one field (imagePullPolicy from the image tag, ...). Mutates obj. */
  applyDefaults?(obj: T): void;
  /** Semantic validation beyond the schema (names, selectors, cross-field rules). Empty = valid. */
  validate?(obj: T): StatusCause[];
  /** Rules for an update: immutable fields and the like. Empty = valid. */
  validateUpdate?(obj: T, old: T): StatusCause[];
  /** Field selector attributes beyond metadata.name and metadata.namespace (pods: spec.nodeName, ...). */
  fieldAttributes?(obj: T): Record<string, string>;
}

export function apiVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
