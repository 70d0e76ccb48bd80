/**
 * The text layout of `describe`: "Key:  value" lines whose values line up within a
 * section, nested sections indented by two spaces, and small tables (Events, Conditions).
 */
export type DescribeLine = { indent: number; key: string; value?: string } | { indent: number; raw: string };

export class DescribeWriter {
  private readonly lines: DescribeLine[] = [];

  /** "Key:" with a value; a section heading when value is undefined. */
  field(indent: number, key: string, value?: string | number | boolean | null): this {
    this.lines.push({ indent, key, value: value === undefined ? undefined : value === null || value === '' ? '<none>' : String(value) });
    return this;
  }

  /** "Labels:  a=b" then further entries on their own lines, aligned (kubectl's map printing). */
  map(indent: number, key: string, map: Record<string, string> | null | undefined, sep = '='): this {
    // kubectl never shows the last-applied configuration: it is the object again.
    const entries = Object.entries(map ?? {})
      .filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration')
      .sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) return this.field(indent, key, '<none>');
    entries.forEach(([k, v], i) => this.lines.push({ indent, key: i === 0 ? key : '', value: `${k}${sep}${v}` }));
    return this;
  }

  raw(indent: number, text: string): this {
    this.lines.push({ indent, raw: text });
    return this;
  }

  /** A table indented under a heading; columns separated by two spaces. */
  table(indent: number, header: string[], rows: string[][]): this {
    const all = [header, header.map((h) => '-'.repeat(h.length)), ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    for (const row of all) this.raw(indent, row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('').trimEnd());
    return this;
  }

  toString(): string {
    // Values line up per indent level, across the whole object (as kubectl's tabwriter does in practice).
    const widths = new Map<number, number>();
    for (const l of this.lines) {
      if ('key' in l && l.value !== undefined) widths.set(l.indent, Math.max(widths.get(l.indent) ?? 0, l.key.length + 1));
    }
    return this.lines
      .map((l) => {
        const pad = ' '.repeat(l.indent * 2);
        if ('raw' in l) return `${pad}${l.raw}`;
        if (l.value === undefined) return `${pad}${l.key}:`;
        const label = l.key ? `${l.key}:` : '';
        return `${pad}${label.padEnd((widths.get(l.indent) ?? 0) + 2)}${l.value}`.trimEnd();
      })
      .map((line) => `${line}\n`)
      .join('');
  }
}
