/**
 * application/strategic-merge-patch+json, with the semantics of apimachinery's
 * strategicpatch (the apply side, as the apiserver runs it), driven by the zod schema
 * of the object instead of Go struct tags:
 *
 * - maps merge recursively; a null value deletes the key;
 * - a list whose field has patch strategy "merge" merges element-wise: by its merge key
 *   for lists of objects (containers by name), as a set for lists of scalars; other
 *   lists, and fields the schema does not know, are replaced;
 * - directives: `$patch: replace|delete|merge` on maps and list elements,
 *   `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`.
 *
 * Merged lists get the order Kubernetes gives them: items named in the patch (or in
 * `$setElementOrder`) in the patch's order, interleaved with the items only the server
 * has, which keep their relative order.
 *
 * Two deliberate differences from apimachinery, both for values that were absent
 * before: a new value is merged into "nothing" instead of being copied verbatim, so its
 * nulls and nested directives never reach the stored object; and `$patch: merge` is
 * accepted (it is the default) where apimachinery rejects it. Errors that Kubernetes
 * reports as 500 for a malformed patch are 400 here.
 */
import type { z } from 'zod';
import type { ApiError } from '../../api/meta/errors.js';
import { hasKey, isJsonObject, setKey, type JsonObject } from './merge-patch.js';
import { normalizeOrder, sameItem } from './list-order.js';
import { badPatch, jsonKind, patchRejected } from './patch-errors.js';
import { elementSchema, fieldSchema, patchStrategyOf } from './schema-walk.js';

export { applyPatch } from './apply-patch.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

/** What a `$patch: delete` map becomes where there was nothing to delete: no value at all. */
const ABSENT: unique symbol = Symbol('absent');
type Merged<T> = T | typeof ABSENT;

/**
 * Applies a strategic merge patch to `original` and returns the result; neither input
 * is modified. Throws ApiError 400 for malformed patches and directives, 422 for
 * patches that cannot apply (lists of lists).
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: z.ZodType): unknown {
  if (!isJsonObject(patch)) {
    throw badPatch(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  const base = isJsonObject(original) ? structuredClone(original) : {};
  const result = mergeMap(base, structuredClone(patch), schema);
  return result === ABSENT ? {} : result;
}

// ---- maps ----

function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: z.ZodType | undefined): Merged<JsonObject> {
  if (hasKey(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    switch (directive) {
      case 'delete':
        return original === undefined ? ABSENT : {};
      case 'replace':
        return mergeMap(undefined, patch, schema);
      case 'merge':
        break;
      default:
        throw unknownPatchType(directive, patch);
    }
  }
  const target = original ?? {};
  applyRetainKeys(target, patch);
  applySetElementOrder(target, patch, schema);

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deleteFromPrimitiveList(target, directiveField(key, DELETE_FROM_PRIMITIVE_LIST, ERR_PRIMITIVE_LIST), value);
      continue;
    }
    if (value === null) {
      delete target[key];
      continue;
    }
    const child = fieldSchema(schema, key);
    let merged: Merged<unknown>;
    if (!hasKey(target, key)) {
      merged = fresh(value, child);
    } else {
      const current = target[key];
      if (isJsonObject(current) && isJsonObject(value)) {
        merged = patchStrategyOf(child).replace ? fresh(value, child) : mergeMap(current, value, child);
      } else if (Array.isArray(current) && Array.isArray(value)) {
        merged = mergeListField(current, value, child);
      } else {
        merged = fresh(value, child);
      }
    }
    if (merged === ABSENT) delete target[key];
    else setKey(target, key, merged);
  }
  return target;
}

/** `$setElementOrder/containers` → `containers`. */
function directiveField(key: string, prefix: string, error: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw badPatch(error);
  return key.slice(slash + 1);
}

function unknownPatchType(directive: unknown, where: unknown): ApiError {
  return badPatch(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(where)}`);
}

/** `$retainKeys: [a, b]`: drop every other key of the original; the patch may only set listed keys. */
function applyRetainKeys(target: JsonObject, patch: JsonObject): void {
  if (!hasKey(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badPatch(ERR_RETAIN_KEYS);
  const keep = new Set(list.filter((k): k is string => typeof k === 'string'));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) throw badPatch(ERR_RETAIN_KEYS);
  }
  for (const key of Object.keys(target)) {
    if (!keep.has(key)) delete target[key];
  }
}

/** `$deleteFromPrimitiveList/finalizers: [a]`: remove those values from the list. */
function deleteFromPrimitiveList(target: JsonObject, field: string, values: unknown): void {
  if (values === null) {
    delete target[field];
    return;
  }
  if (!Array.isArray(values)) throw badPatch(ERR_PRIMITIVE_LIST);
  const current = hasKey(target, field) ? target[field] : undefined;
  if (!Array.isArray(current)) return;
  setKey(target, field, current.filter((item) => !values.some((v) => sameItem(item, v, ''))));
}

/**
 * `$setElementOrder/<list>`: merge that list (if the patch also has it) and order the
 * result: listed items in the listed order, server-only items interleaved.
 */
function applySetElementOrder(target: JsonObject, patch: JsonObject, schema: z.ZodType | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    const field = directiveField(key, SET_ELEMENT_ORDER, ERR_SET_ELEMENT_ORDER);
    if (!Array.isArray(order)) throw badPatch(ERR_SET_ELEMENT_ORDER);

    const listSchema = fieldSchema(schema, field);
    const { mergeKey } = patchStrategyOf(listSchema);
    const current = hasKey(target, field) && Array.isArray(target[field]) ? (target[field] as unknown[]) : undefined;
    const patchList = hasKey(patch, field) ? patch[field] : undefined;
    if (patchList === null) continue; // the field is deleted by the main loop; nothing to order
    if (patchList !== undefined && !Array.isArray(patchList)) throw badPatch(ERR_SET_ELEMENT_ORDER);
    validateOrder(patchList ?? [], order, mergeKey);

    let merged: unknown[];
    if (current && patchList) merged = mergeListField(current, patchList, listSchema);
    else if (current) merged = current;
    else if (patchList) merged = freshList(patchList, listSchema);
    else continue;

    const listed = merged.filter((item) => order.some((o) => sameItem(item, o, mergeKey)));
    const serverOnly = merged.filter((item) => !order.some((o) => sameItem(item, o, mergeKey)));
    setKey(target, field, normalizeOrder(listed, serverOnly, order, current ?? [], mergeKey));
    delete patch[field];
  }
}

/** The patch list must list its items in the same relative order as `$setElementOrder`. */
function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((item) => !isJsonObject(item) || !hasKey(item, DIRECTIVE));
  if (mergeKey) {
    for (const item of [...items, ...order]) requireMergeKey(item, mergeKey);
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (sameItem(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw badPatch(
      `the order in patch list:\n${JSON.stringify(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${JSON.stringify(order)}`,
    );
  }
}

// ---- lists ----

function mergeListField(current: unknown[], patch: unknown[], schema: z.ZodType | undefined): unknown[] {
  const strategy = patchStrategyOf(schema);
  if (!strategy.merge) return freshList(patch, schema);
  return mergeList(current, patch, elementSchema(schema), strategy.mergeKey);
}

type ElementKind = 'object' | 'scalar';

/** All elements must be of one JSON type, and not lists. */
function elementKind(...lists: unknown[][]): ElementKind | undefined {
  let seen: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const kind = jsonKind(item);
      if (kind === 'array') throw patchRejected('lists of lists are not supported');
      if (seen === undefined) seen = kind;
      else if (seen !== kind) throw badPatch(`list element types are not identical: ${JSON.stringify(lists)}`);
    }
  }
  if (seen === undefined) return undefined;
  return seen === 'object' ? 'object' : 'scalar';
}

function mergeList(current: unknown[], patch: unknown[], elemSchema: z.ZodType | undefined, mergeKey: string): unknown[] {
  const kind = elementKind(current, patch);
  if (kind === undefined) return current;

  if (kind === 'scalar') {
    const merged: unknown[] = [];
    for (const item of [...current, ...patch]) {
      if (!merged.some((m) => sameItem(m, item, ''))) merged.push(item);
    }
    const inPatch = merged.filter((m) => patch.some((p) => sameItem(m, p, '')));
    const serverOnly = merged.filter((m) => !patch.some((p) => sameItem(m, p, '')));
    return normalizeOrder(inPatch, serverOnly, patch, current, '');
  }

  if (!mergeKey) throw badPatch('cannot merge lists without merge key for type map');
  let base = current;
  let replace = false;
  const items: JsonObject[] = [];
  for (const element of patch as JsonObject[]) {
    if (!hasKey(element, DIRECTIVE)) {
      items.push(element);
      continue;
    }
    const directive = element[DIRECTIVE];
    if (directive === 'delete') {
      requireMergeKey(element, mergeKey);
      base = base.filter((item) => !sameItem(item, element, mergeKey));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      delete element[DIRECTIVE];
      items.push(element);
    } else {
      throw unknownPatchType(directive, element);
    }
  }
  if (replace) return freshElements(items, elemSchema);

  const merged = [...base];
  for (const element of items) {
    requireMergeKey(element, mergeKey);
    const at = merged.findIndex((item) => sameItem(item, element, mergeKey));
    if (at >= 0) {
      const current = merged[at];
      const result = isJsonObject(current) ? mergeMap(current, element, elemSchema) : fresh(element, elemSchema);
      if (result === ABSENT) merged.splice(at, 1);
      else merged[at] = result;
    } else {
      const result = fresh(element, elemSchema);
      if (result !== ABSENT) merged.push(result);
    }
  }
  const inPatch = merged.filter((m) => items.some((p) => sameItem(m, p, mergeKey)));
  const serverOnly = merged.filter((m) => !items.some((p) => sameItem(m, p, mergeKey)));
  return normalizeOrder(inPatch, serverOnly, items, base, mergeKey);
}

function requireMergeKey(item: unknown, mergeKey: string): void {
  if (!isJsonObject(item) || !hasKey(item, mergeKey)) {
    throw badPatch(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
  }
}

// ---- values that did not exist before ----

/** A patch value where the original had none: merged into nothing, so nulls and directives vanish. */
function fresh(value: unknown, schema: z.ZodType | undefined): Merged<unknown> {
  if (isJsonObject(value)) return mergeMap(undefined, value, schema);
  if (Array.isArray(value)) return freshList(value, schema);
  return value;
}

function freshList(list: unknown[], schema: z.ZodType | undefined): unknown[] {
  const strategy = patchStrategyOf(schema);
  if (strategy.merge) return mergeList([], list, elementSchema(schema), strategy.mergeKey);
  // As apimachinery does for lists it does not merge: elements carrying a directive are dropped.
  return freshElements(
    list.filter((item) => !isJsonObject(item) || !hasKey(item, DIRECTIVE)),
    elementSchema(schema),
  );
}

function freshElements(list: unknown[], elemSchema: z.ZodType | undefined): unknown[] {
  const out: unknown[] = [];
  for (const item of list) {
    const v = fresh(item, elemSchema);
    if (v !== ABSENT) out.push(v);
  }
  return out;
}
