/**
 * A table printer turns one object into one row of cells for a fixed list of columns,
 * like the TableHandlers of Kubernetes' internal printers. The apiserver always renders
 * the wide columns too (priority 1); kubectl hides them unless asked for `-o wide`.
 */
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { TableCell, TableColumnDefinition, TableRowCondition } from './table.js';

export interface PrintContext {
  /** The instant ages are measured against. */
  now: Date;
}

export interface PrintedRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
}

export interface TablePrinter {
  columns: TableColumnDefinition[];
  print(obj: KubeObject, ctx: PrintContext): PrintedRow;
}

interface ColumnOptions {
  format?: string;
  /** 1 for the columns `-o wide` adds. */
  priority?: number;
}

export function column(name: string, type: string, description: string, opts: ColumnOptions = {}): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** Shorthand for a wide-only string column. */
export function wideColumn(name: string, description: string): TableColumnDefinition {
  return column(name, 'string', description, { priority: 1 });
}

export const nameColumn = (): TableColumnDefinition =>
  column('Name', 'string', 'Name of the object, unique within its namespace.', { format: 'name' });

export const ageColumn = (): TableColumnDefinition =>
  column('Age', 'string', 'Time since the object was created (metadata.creationTimestamp).');

export const containersColumn = (): TableColumnDefinition => wideColumn('Containers', 'Names of the containers in the pod template.');
export const imagesColumn = (): TableColumnDefinition => wideColumn('Images', 'Images of the containers in the pod template.');
