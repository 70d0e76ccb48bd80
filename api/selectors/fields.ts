/**
 * Field selectors as Kubernetes defines them: `metadata.name=x,spec.nodeName!=` — terms
 * joined by commas (AND), each `field=value`, `field==value` or `field!=value`; no
 * set-based terms. Values escape `\`, `,` and `=` with a backslash. A selector is matched
 * against the field attributes of an object (a flat Record<string,string>); a field that
 * the object does not report reads as the empty string, as in apimachinery's fields.Set.
 * Bad input throws a plain Error with apimachinery's message (the apiserver answers 400).
 */

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

/** The field labels every resource supports. */
export const DEFAULT_FIELD_LABELS: readonly string[] = ['metadata.name', 'metadata.namespace'];

/** The attributes behind DEFAULT_FIELD_LABELS; resources add their own (spec.nodeName, ...). */
export function defaultFieldAttributes(metadata: { name?: string; namespace?: string }): Record<string, string> {
  return { 'metadata.name': metadata.name ?? '', 'metadata.namespace': metadata.namespace ?? '' };
}

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const have = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field]! : '';
      return r.operator === '!=' ? have !== r.value : have === r.value;
    });
  }

  isEverything(): boolean {
    return this.requirements.length === 0;
  }

  /** The value `field` must equal (`field=v` or `field==v`), if the selector pins it: useful for indexes. */
  requiresExactMatch(field: string): string | undefined {
    const r = this.requirements.find((t) => t.field === field && t.operator !== '!=');
    return r?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
  }
}

export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Reverses escapeFieldValue; rejects unknown escapes and bare `,` or `=`. */
export function unescapeFieldValue(value: string): string {
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // apimachinery prints the rune with %v, i.e. its code point.
      throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

// Order matters: at a given position `!=` and `==` win over `=`.
const TERM_OPERATORS: readonly FieldOperator[] = ['!=', '==', '='];

function splitTerm(term: string): { field: string; operator: FieldOperator; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), operator: op, value: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/**
 * Parses a field selector. With `supportedFields`, a term on any other field is rejected
 * with Kubernetes' `field label not supported: <field>`.
 */
export function parseFieldSelector(selector: string, supportedFields?: Iterable<string>): FieldSelector {
  const supported = supportedFields ? new Set(supportedFields) : undefined;
  const terms = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new Error(`invalid selector: '${selector}'; can't understand '${term}'`);
    const value = unescapeFieldValue(parts.value);
    if (supported && !supported.has(parts.field)) throw new Error(`field label not supported: ${parts.field}`);
    requirements.push({ field: parts.field, operator: parts.operator, value });
  }
  return new FieldSelector(requirements);
}
