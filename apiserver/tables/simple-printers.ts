/**
 * Printers whose rows are a field or two beside NAME and AGE: namespaces, configmaps,
 * secrets, service accounts, leases, and the default NAME/AGE table for every other type.
 */
import type { KubeObject } from '../../api/meta/object-meta.js';
import { timestampSince } from './duration.js';
import { countKeys } from './format.js';
import { ageColumn, column, nameColumn, type PrintContext, type PrintedRow, type TablePrinter } from './printer.js';
import type { TableCell, TableColumnDefinition } from './table.js';

/** A printer whose cells are NAME, the given middle cells, then AGE. */
function nameMiddleAge(middle: TableColumnDefinition[], cellsOf: (obj: KubeObject) => TableCell[]): TablePrinter {
  return {
    columns: [nameColumn(), ...middle, ageColumn()],
    print(obj: KubeObject, { now }: PrintContext): PrintedRow {
      return { cells: [obj.metadata.name ?? '', ...cellsOf(obj), timestampSince(obj.metadata.creationTimestamp, now)] };
    },
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export const defaultPrinter: TablePrinter = nameMiddleAge([], () => []);

export const namespacePrinter: TablePrinter = nameMiddleAge(
  [column('Status', 'string', 'Phase of the namespace: Active or Terminating.')],
  (obj) => [stringField(record(obj.status).phase)],
);

export const configMapPrinter: TablePrinter = nameMiddleAge(
  [column('Data', 'string', 'Number of keys in data and binaryData.')],
  (obj) => [countKeys(record(obj.data)) + countKeys(record(obj.binaryData))],
);

export const secretPrinter: TablePrinter = nameMiddleAge(
  [column('Type', 'string', 'Type of the secret, e.g. Opaque or kubernetes.io/tls.'), column('Data', 'string', 'Number of keys in data.')],
  (obj) => [stringField(obj.type), countKeys(record(obj.data))],
);

export const serviceAccountPrinter: TablePrinter = nameMiddleAge(
  [column('Secrets', 'string', 'Number of secrets listed on the service account.')],
  (obj) => [Array.isArray(obj.secrets) ? obj.secrets.length : 0],
);

export const leasePrinter: TablePrinter = nameMiddleAge(
  [column('Holder', 'string', 'Identity of the current holder of the lease.')],
  (obj) => [stringField(record(obj.spec).holderIdentity)],
);
