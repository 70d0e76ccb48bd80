/**
 * meta.k8s.io/v1 Table: what `kubectl get` asks for (Accept:
 * application/json;as=Table;v=v1;g=meta.k8s.io) and prints as columns.
 * Field names and presence follow the Kubernetes JSON encoding: every column
 * definition carries all five fields; a row's `conditions` and `object` are optional.
 */
import type { ListMeta, ObjectMeta } from '../../api/meta/object-meta.js';

/** Which object a row carries: kubectl asks for Metadata (needed for -A, --show-labels). */
export type IncludeObjectPolicy = 'None' | 'Metadata' | 'Object';

export const TABLE_API_VERSION = 'meta.k8s.io/v1';

export interface TableColumnDefinition {
  /** Header text; kubectl upper-cases it. */
  name: string;
  /** OpenAPI type of the cells: 'string', 'integer', 'number', 'boolean', 'date'. */
  type: string;
  /** OpenAPI format hint; 'name' marks the column holding the object name. */
  format: string;
  description: string;
  /** 0 = always shown, 1 = shown only with `-o wide`. */
  priority: number;
}

/** A cell is a JSON scalar (strings, integers, booleans) or null for "no value". */
export type TableCell = string | number | boolean | null;

export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: typeof TABLE_API_VERSION;
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata for Metadata, the whole object for Object, absent for None. */
  object?: PartialObjectMetadata | Record<string, unknown>;
}

export interface Table {
  kind: 'Table';
  apiVersion: typeof TABLE_API_VERSION;
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}
