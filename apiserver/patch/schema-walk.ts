/**
 * Walks a zod schema alongside a JSON document: the schema of an object field, of a
 * map value, of a list element, and the list patch metadata (strategy, merge key) that
 * strategic merge patch needs. Unknown paths give `undefined`, which the patch code
 * treats as "no metadata" (plain merge semantics).
 */
import type { z } from 'zod';
import { innerSchema, patchMetaOf } from '../../api/meta/patch-meta.js';

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The schema inside optional/nullable/default/lazy/pipe wrappers. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let depth = 0; depth < 32; depth++) {
    const inner = innerSchema(s);
    if (!inner) return s;
    s = inner;
  }
  return s;
}

/** The schema of `key` in an object (or the value schema of a record), if known. */
export function fieldSchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
  if (!schema) return undefined;
  const def = defOf(unwrapSchema(schema));
  switch (def.type) {
    case 'object': {
      const shape = def.shape ?? {};
      if (Object.prototype.hasOwnProperty.call(shape, key)) return shape[key];
      if (def.catchall && defOf(def.catchall).type !== 'never') return def.catchall;
      return undefined;
    }
    case 'record':
      return def.valueType;
    case 'union':
      for (const option of def.options ?? []) {
        const found = fieldSchema(option, key);
        if (found) return found;
      }
      return undefined;
    case 'intersection':
      return fieldSchema(def.left, key) ?? fieldSchema(def.right, key);
    default:
      return undefined;
  }
}

/** The element schema of an array schema, if known. */
export function elementSchema(schema: z.ZodType | undefined): z.ZodType | undefined {
  if (!schema) return undefined;
  const def = defOf(unwrapSchema(schema));
  if (def.type === 'array') return def.element;
  if (def.type === 'union') {
    for (const option of def.options ?? []) {
      const found = elementSchema(option);
      if (found) return found;
    }
  }
  return undefined;
}

export interface FieldPatchStrategy {
  /** Lists: merge element-wise (by mergeKey, or as a set of scalars). */
  merge: boolean;
  /** Maps: replace whole instead of merging. */
  replace: boolean;
  mergeKey: string;
}

/** The strategic-merge-patch strategy of a field ("merge", "replace", "merge,retainKeys", ...). */
export function patchStrategyOf(schema: z.ZodType | undefined): FieldPatchStrategy {
  if (!schema) return { merge: false, replace: false, mergeKey: '' };
  const meta = patchMetaOf(schema);
  const strategies = (meta['x-kubernetes-patch-strategy'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return {
    merge: strategies.includes('merge'),
    replace: strategies.includes('replace'),
    mergeKey: meta['x-kubernetes-patch-merge-key'] ?? '',
  };
}
