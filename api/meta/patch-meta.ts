/**
 * Patch metadata on zod schemas. Kubernetes marks list fields with a patch strategy
 * and merge key (x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key) and a list
 * type; strategic-merge-patch and the OpenAPI document both read them. We attach them
 * as zod metadata so the schema stays the single source of truth: z.toJSONSchema copies
 * metadata into the generated schema, and the patch code reads it back with patchMetaOf.
 */
import { z } from 'zod';

export interface PatchMeta {
  'x-kubernetes-patch-strategy'?: string; // "merge", "retainKeys", "merge,retainKeys", "replace"
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'map' | 'set';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

/** A list of objects merged by `key` (containers by name, ports by containerPort, ...). */
export function mergeList<T extends z.ZodType>(item: T, key: string, mapKeys: string[] = [key]) {
  return z.array(item).meta({
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': key,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': mapKeys,
  });
}

/** A list of scalars merged as a set (finalizers). */
export function mergeSet<T extends z.ZodType>(item: T) {
  return z.array(item).meta({ 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' });
}

/** A list replaced whole by a patch (args, command). */
export function atomicList<T extends z.ZodType>(item: T) {
  return z.array(item).meta({ 'x-kubernetes-list-type': 'atomic' });
}

/** The patch metadata of a schema, looking through optional/default/nullable wrappers. */
export function patchMetaOf(schema: z.ZodType): PatchMeta {
  let s: z.ZodType | undefined = schema;
  const found: PatchMeta = {};
  for (let depth = 0; s && depth < 8; depth++) {
    const meta = z.globalRegistry.get(s) as PatchMeta | undefined;
    if (meta) {
      for (const key of Object.keys(meta) as (keyof PatchMeta)[]) {
        if (key.startsWith('x-kubernetes-') && found[key] === undefined) {
          (found as Record<string, unknown>)[key] = meta[key];
        }
      }
    }
    s = innerSchema(s);
  }
  return found;
}

/** The schema inside an optional/default/nullable/readonly/pipe/lazy wrapper, if any. */
export function innerSchema(schema: z.ZodType): z.ZodType | undefined {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType as z.ZodType;
    case 'pipe':
      return def.in as z.ZodType;
    case 'lazy':
      return (def.getter as () => z.ZodType)();
    default:
      return undefined;
  }
}
