/**
 * Small formatting helpers shared by the printers, matching how Kubernetes renders
 * label maps, label selectors and container lists in table cells.
 */

export const NONE = '<none>';

/** "a=1,b=2" with keys sorted; "<none>" for an empty or missing map (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return NONE;
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

export interface LabelSelectorRequirementLike {
  key?: string;
  operator?: string;
  values?: string[] | null;
}

export interface LabelSelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementLike[] | null;
}

/**
 * The selector as a label-selector string ("app=web,tier in (a,b),!legacy"), requirements
 * sorted by key and values sorted, as Kubernetes prints a parsed selector. Empty string for
 * a missing or empty selector; undefined when the selector cannot be parsed (unknown
 * operator, or a values list that does not fit the operator).
 */
export function labelSelectorString(selector: LabelSelectorLike | null | undefined): string | undefined {
  if (!selector) return '';
  const requirements: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, text: `${key}=${value}` });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const key = expr.key ?? '';
    const values = [...(expr.values ?? [])].sort();
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        requirements.push({ key, text: `${key} ${expr.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        requirements.push({ key, text: expr.operator === 'Exists' ? key : `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // Array.prototype.sort is stable, so requirements on the same key keep their order.
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return requirements.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" when empty, "<error>" when unparsable. */
export function formatLabelSelector(selector: LabelSelectorLike | null | undefined): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? NONE : s;
}

export interface ContainerLike {
  name?: string;
  image?: string;
}

/** Container names and images, each comma-joined on one line (the wide CONTAINERS/IMAGES cells). */
export function containerCells(containers: ContainerLike[] | null | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return {
    names: list.map((c) => c.name ?? '').join(','),
    images: list.map((c) => c.image ?? '').join(','),
  };
}

/** host:port, with IPv6 hosts bracketed (Go's net.JoinHostPort). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A non-negative integer read from an optional field; anything else counts as 0. */
export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

/** Number of keys of an optional map. */
export function countKeys(map: Record<string, unknown> | null | undefined): number {
  return map ? Object.keys(map).length : 0;
}
