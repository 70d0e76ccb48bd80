/**
 * Prints meta.k8s.io/v1 Tables the way kubectl does: upper-case headers, columns
 * left-aligned and separated by three spaces, priority-0 columns unless wide, an
 * optional NAMESPACE column first, and names prefixed by their type when several types
 * are printed together.
 */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  priority: number;
}

export interface TableRow {
  cells: (string | number | boolean | null)[];
  object?: { metadata?: { name?: string; namespace?: string } };
}

export interface Table {
  kind: 'Table';
  columnDefinitions: TableColumn[];
  rows: TableRow[];
  metadata?: { resourceVersion?: string };
}

export interface TableOptions {
  wide?: boolean;
  withNamespace?: boolean;
  /** "deployment.apps": prefixes the name column ("deployment.apps/web"). */
  namePrefix?: string;
  noHeaders?: boolean;
}

function cellText(cell: TableRow['cells'][number]): string {
  if (cell === null || cell === undefined) return '<none>';
  return String(cell);
}

/** The lines of a table (header included unless noHeaders), without trailing newlines. */
export function tableLines(table: Table, opts: TableOptions = {}, columns = table.columnDefinitions): string[][] {
  const shown = columns.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || c.priority === 0);
  const rows: string[][] = [];
  if (!opts.noHeaders) {
    const header = shown.map(({ c }) => c.name.toUpperCase());
    rows.push(opts.withNamespace ? ['NAMESPACE', ...header] : header);
  }
  for (const row of table.rows) {
    const cells = shown.map(({ c, i }) => {
      const text = cellText(row.cells[i] ?? null);
      return c.format === 'name' && opts.namePrefix ? `${opts.namePrefix}/${text}` : text;
    });
    rows.push(opts.withNamespace ? [row.object?.metadata?.namespace ?? '', ...cells] : cells);
  }
  return rows;
}

/**
 * Aligns rows into columns: every column but the last padded to its widest cell plus
 * `gap` spaces (kubectl's tables use three). A cell wider than a given width still
 * keeps the gap.
 */
export function alignColumns(rows: string[][], widths?: number[], gap = 3): string {
  const w = widths ?? columnWidths(rows);
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(Math.max(w[i] ?? 0, cell.length) + gap)))
        .join('')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export function columnWidths(rows: string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return widths;
}

export function formatTable(table: Table, opts: TableOptions = {}): string {
  return alignColumns(tableLines(table, opts));
}
