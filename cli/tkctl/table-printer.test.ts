import { describe, expect, it } from 'vitest';
import { formatTable, type Table } from './table-printer.js';

const table: Table = {
  kind: 'Table',
  columnDefinitions: [
    { name: 'Name', type: 'string', format: 'name', priority: 0 },
    { name: 'Ready', type: 'string', format: '', priority: 0 },
    { name: 'IP', type: 'string', format: '', priority: 1 },
    { name: 'Age', type: 'string', format: '', priority: 0 },
  ],
  rows: [
    { cells: ['web-1', '1/1', '10.1.0.5', '5m'], object: { metadata: { name: 'web-1', namespace: 'default' } } },
    { cells: ['db', '0/1', null, '12s'], object: { metadata: { name: 'db', namespace: 'prod' } } },
  ],
};

describe('formatTable', () => {
  it('prints priority-0 columns, upper-cased, three spaces apart', () => {
    expect(formatTable(table)).toBe('NAME    READY   AGE\nweb-1   1/1     5m\ndb      0/1     12s\n');
  });

  it('prints every column with wide and <none> for empty cells', () => {
    expect(formatTable(table, { wide: true })).toBe('NAME    READY   IP         AGE\nweb-1   1/1     10.1.0.5   5m\ndb      0/1     <none>     12s\n');
  });

  it('adds NAMESPACE first and prefixes names by type', () => {
    expect(formatTable(table, { withNamespace: true, namePrefix: 'pod' })).toBe(
      'NAMESPACE   NAME        READY   AGE\ndefault     pod/web-1   1/1     5m\nprod        pod/db      0/1     12s\n',
    );
  });

  it('omits headers on request', () => {
    expect(formatTable(table, { noHeaders: true })).toBe('web-1   1/1   5m\ndb      0/1   12s\n');
  });
});
