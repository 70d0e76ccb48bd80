/**
 * What a benchmark hands back: measured rows (value, the reference measured in the same
 * run, their ratio, the target), notes, and whether every target was met. run.ts prints
 * it and records it in RESULTS.md.
 */

export interface BenchRow {
  metric: string;
  /** Already formatted with its unit, e.g. "2,310 creates/s". */
  value: string;
  reference?: string;
  ratio?: number;
  target?: string;
  /** Whether the target is met; undefined when the row has no target. */
  ok?: boolean;
}

export interface BenchReport {
  name: string;
  title: string;
  rows: BenchRow[];
  notes: string[];
}

export function passed(report: BenchReport): boolean {
  return report.rows.every((r) => r.ok !== false);
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? 'PASS' : 'FAIL';
}

function ratioText(r: number | undefined): string {
  return r === undefined ? '' : r.toFixed(2);
}

/** A plain-text table for the terminal. */
export function formatText(report: BenchReport): string {
  const header = ['metric', 'value', 'reference', 'ratio', 'target', ''];
  const rows = report.rows.map((r) => [r.metric, r.value, r.reference ?? '', ratioText(r.ratio), r.target ?? '', verdict(r.ok)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [report.title, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const n of report.notes) out.push(`- ${n}`);
  out.push(passed(report) ? 'all targets met' : 'SOME TARGETS MISSED');
  return out.join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A Markdown table, for RESULTS.md. */
export function formatMarkdown(report: BenchReport): string {
  const out = ['| metric | value | reference | ratio | target | |', '|---|---|---|---|---|---|'];
  for (const r of report.rows) {
    out.push(`| ${[r.metric, r.value, r.reference ?? '', ratioText(r.ratio), r.target ?? '', verdict(r.ok)].map(cell).join(' | ')} |`);
  }
  if (report.notes.length) out.push('', ...report.notes.map((n) => `- ${n}`));
  out.push('', passed(report) ? 'All targets met.' : '**Some targets missed.**');
  return out.join('\n');
}
