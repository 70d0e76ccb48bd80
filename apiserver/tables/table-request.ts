/**
 * Reading a table request: whether the Accept header asks for a meta.k8s.io/v1 Table
 * (kubectl get sends "application/json;as=Table;v=v1;g=meta.k8s.io, ...,application/json"),
 * and the includeObject query parameter.
 */
import { badRequest } from '../../api/meta/errors.js';
import type { IncludeObjectPolicy } from './table.js';

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const clause of header.split(',')) {
    const [mediaType, ...rawParams] = clause.split(';').map((p) => p.trim());
    if (!mediaType) continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') q = Number.isNaN(Number(value)) ? 0 : Number(value);
      else params.set(key, value);
    }
    ranges.push({ type: mediaType.toLowerCase(), params, q });
  }
  // Highest q first; Array.prototype.sort is stable, so equal q keeps the client's order.
  return ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);

/**
 * True when the preferred media type the server can serve is a meta.k8s.io/v1 Table
 * in JSON; false when the client should get the plain object (or list). A Table of a
 * version this server does not serve (v1beta1) is skipped in favour of the next choice.
 */
export function wantsTable(accept: string | undefined): boolean {
  for (const range of parseAccept(accept ?? '')) {
    if (!JSON_TYPES.has(range.type)) continue;
    const as = range.params.get('as');
    if (as === undefined) return false;
    if (as === 'Table' && range.params.get('g') === 'meta.k8s.io' && range.params.get('v') === 'v1') return true;
  }
  return false;
}

/** The includeObject query parameter; Kubernetes defaults it to Metadata. */
export function parseIncludeObject(value: string | null | undefined): IncludeObjectPolicy {
  if (value === undefined || value === null || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`includeObject: Unsupported value: "${value}": supported values: "None", "Metadata", "Object"`);
}
