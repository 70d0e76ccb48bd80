/**
 * JSON as Go's encoding/json writes a map (what kubectl stores in the last-applied
 * annotation): object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. Matching
 * it byte for byte lets kubectl and tkctl apply the same file interchangeably without
 * seeing a change in the annotation.
 */
/** A copy with every object's keys in sorted order (Go marshals maps that way). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
