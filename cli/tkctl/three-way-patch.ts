/**
 * kubectl's client-side apply patch (apimachinery's CreateThreeWayMergePatch), driven by
 * the zod schema's patch metadata instead of Go struct tags:
 *
 * - deletions: what the last-applied configuration had and the new configuration no
 *   longer has becomes `null` (maps), `$patch: delete` (merge lists of objects) or
 *   `$deleteFromPrimitiveList/<key>` (merge lists of scalars);
 * - changes and additions: whatever the new configuration sets that differs from the
 *   live object;
 * - everything else the live object holds (fields the server or other clients set) is
 *   left alone.
 *
 * Merge lists in the patch carry `$setElementOrder/<key>` with the configuration's order,
 * and maps whose strategy is retainKeys (volumes) carry `$retainKeys`, so that keys the
 * server added to a union (the old volume source) go away with the config's change.
 */
import type { z } from 'zod';
import { patchMetaOf } from '../../api/meta/patch-meta.js';
import { elementSchema, fieldSchema, patchStrategyOf } from '../../apiserver/patch/schema-walk.js';

type JsonObject = Record<string, unknown>;

const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';
const RETAIN_KEYS = '$retainKeys';

/** Fields (or list elements) whose patch strategy says "retainKeys": the patch lists the keys to keep. */
function retainsKeys(schema: z.ZodType | undefined): boolean {
  if (!schema) return false;
  return (patchMetaOf(schema)['x-kubernetes-patch-strategy'] ?? '').split(',').some((s) => s.trim() === 'retainKeys');
}

/** Adds `$retainKeys` (the new config's keys) to a non-empty diff of a retainKeys map. */
function withRetainKeys(diff: JsonObject, to: JsonObject, retain: boolean): JsonObject {
  if (retain && Object.keys(diff).length > 0) diff[RETAIN_KEYS] = Object.keys(to).sort();
  return diff;
}

interface DiffMode {
  /** Only report what `from` has and `to` lacks. */
  deletionsOnly: boolean;
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function diffMaps(from: JsonObject, to: JsonObject, schema: z.ZodType | undefined, mode: DiffMode): JsonObject {
  const patch: JsonObject = {};
  for (const [key, toValue] of Object.entries(to)) {
    const fromValue = from[key];
    const sub = fieldSchema(schema, key);
    if (!(key in from) || fromValue === null || fromValue === undefined) {
      if (!mode.deletionsOnly) patch[key] = toValue;
      continue;
    }
    if (isObject(fromValue) && isObject(toValue)) {
      const d = withRetainKeys(diffMaps(fromValue, toValue, sub, mode), toValue, retainsKeys(sub));
      if (Object.keys(d).length > 0) patch[key] = d;
      continue;
    }
    if (Array.isArray(fromValue) && Array.isArray(toValue)) {
      diffList(key, fromValue, toValue, sub, mode, patch);
      continue;
    }
    if (!mode.deletionsOnly && !deepEqual(fromValue, toValue)) patch[key] = toValue;
  }
  if (mode.deletionsOnly) {
    for (const key of Object.keys(from)) {
      if (!(key in to)) patch[key] = null;
    }
  }
  return patch;
}

function diffList(key: string, from: unknown[], to: unknown[], schema: z.ZodType | undefined, mode: DiffMode, patch: JsonObject): void {
  const strategy = patchStrategyOf(schema);
  if (!strategy.merge) {
    // Atomic lists are replaced whole when they changed.
    if (!mode.deletionsOnly && !deepEqual(from, to)) patch[key] = to;
    return;
  }
  if (strategy.mergeKey && to.every(isObject) && from.every(isObject)) {
    diffListOfMaps(key, from, to, strategy.mergeKey, schema, mode, patch);
  } else {
    diffListOfScalars(key, from, to, mode, patch);
  }
}

function diffListOfMaps(
  key: string,
  from: JsonObject[],
  to: JsonObject[],
  mergeKey: string,
  listSchema: z.ZodType | undefined,
  mode: DiffMode,
  patch: JsonObject,
): void {
  const items: JsonObject[] = [];
  const retain = retainsKeys(listSchema);
  const itemSchema = elementSchema(listSchema);
  const byKey = (list: JsonObject[], k: unknown) => list.find((item) => deepEqual(item[mergeKey], k));
  if (mode.deletionsOnly) {
    for (const item of from) {
      const match = byKey(to, item[mergeKey]);
      if (!match) items.push({ [mergeKey]: item[mergeKey], $patch: 'delete' });
      else {
        const d = withRetainKeys(diffMaps(item, match, itemSchema, mode), match, retain);
        if (Object.keys(d).length > 0) items.push({ [mergeKey]: item[mergeKey], ...d });
      }
    }
  } else {
    for (const item of to) {
      const match = byKey(from, item[mergeKey]);
      if (!match) items.push(item);
      else {
        const d = withRetainKeys(diffMaps(match, item, itemSchema, mode), item, retain);
        if (Object.keys(d).length > 0) items.push({ [mergeKey]: item[mergeKey], ...d });
      }
    }
  }
  if (items.length === 0) return;
  patch[key] = items;
  patch[SET_ELEMENT_ORDER + key] = to.map((item) => ({ [mergeKey]: item[mergeKey] }));
}

function diffListOfScalars(key: string, from: unknown[], to: unknown[], mode: DiffMode, patch: JsonObject): void {
  const has = (list: unknown[], v: unknown) => list.some((x) => deepEqual(x, v));
  if (mode.deletionsOnly) {
    const removed = from.filter((v) => !has(to, v));
    if (removed.length === 0) return;
    patch[DELETE_FROM_PRIMITIVE_LIST + key] = removed;
  } else {
    const added = to.filter((v) => !has(from, v));
    if (added.length === 0) return;
    patch[key] = added;
  }
  patch[SET_ELEMENT_ORDER + key] = to;
}

/** Combines the deletions patch with the changes patch (both computed against the same new config). */
function combine(a: JsonObject, b: JsonObject, schema: z.ZodType | undefined): JsonObject {
  const out: JsonObject = { ...a };
  for (const [key, bv] of Object.entries(b)) {
    const av = out[key];
    if (isObject(av) && isObject(bv)) {
      out[key] = combine(av, bv, fieldSchema(schema, key));
    } else if (Array.isArray(av) && Array.isArray(bv) && !key.startsWith('$')) {
      const strategy = patchStrategyOf(fieldSchema(schema, key));
      if (strategy.merge && strategy.mergeKey) {
        const itemSchema = elementSchema(fieldSchema(schema, key));
        const merged = (av as JsonObject[]).map((x) => ({ ...x }));
        for (const item of bv as JsonObject[]) {
          const i = merged.findIndex((m) => deepEqual(m[strategy.mergeKey], item[strategy.mergeKey]));
          if (i >= 0) merged[i] = combine(merged[i]!, item, itemSchema);
          else merged.push(item);
        }
        out[key] = merged;
      } else if (strategy.merge) {
        out[key] = [...av, ...bv.filter((v) => !av.some((x) => deepEqual(x, v)))];
      } else {
        out[key] = bv;
      }
    } else {
      out[key] = bv;
    }
  }
  return out;
}

/**
 * The patch that takes `live` to `config`, deleting what `lastApplied` had and `config`
 * dropped. `lastApplied` is undefined when the object was not created by apply.
 */
export function threeWayMergePatch(
  lastApplied: JsonObject | undefined,
  config: JsonObject,
  live: JsonObject,
  schema: z.ZodType | undefined,
): JsonObject {
  const changes = diffMaps(live, config, schema, { deletionsOnly: false });
  const deletions = lastApplied ? diffMaps(lastApplied, config, schema, { deletionsOnly: true }) : {};
  return combine(deletions, changes, schema);
}
