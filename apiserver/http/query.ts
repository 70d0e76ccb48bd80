/** Query parameters of list, watch, write and delete requests, validated with zod (bad values → 400). */
import { z } from 'zod';
import { badRequest, invalid } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import { DEFAULT_FIELD_LABELS, parseFieldSelector, type FieldSelector } from '../../api/selectors/fields.js';
import { parseLabelSelector, type Selector } from '../../api/selectors/labels.js';

const boolParam = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1');
const intParam = (name: string) =>
  z.string().regex(/^-?\d+$/, `${name} must be an integer`).transform(Number);

export const ListQuery = z.object({
  labelSelector: z.string().optional(),
  fieldSelector: z.string().optional(),
  // Kubernetes pages only when limit > 0: a negative limit means no limit, as zero does.
  limit: intParam('limit').transform((n) => Math.max(0, n)).optional(),
  continue: z.string().optional(),
  resourceVersion: z.string().regex(/^\d*$/, 'resourceVersion must be a non-negative integer').optional(),
  resourceVersionMatch: z.enum(['NotOlderThan', 'Exact', '']).optional(),
  watch: boolParam.optional(),
  allowWatchBookmarks: boolParam.optional(),
  sendInitialEvents: boolParam.optional(),
  timeoutSeconds: intParam('timeoutSeconds').pipe(z.number().min(0)).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const WriteQuery = z.object({
  dryRun: z.enum(['All', '']).optional(),
  fieldValidation: z.enum(['Strict', 'Warn', 'Ignore', '']).optional(),
  fieldManager: z.string().max(128).optional(),
  force: boolParam.optional(),
});

export const DeleteQuery = WriteQuery.extend({
  gracePeriodSeconds: intParam('gracePeriodSeconds').optional(),
  propagationPolicy: z.enum(['Orphan', 'Background', 'Foreground']).optional(),
  orphanDependents: boolParam.optional(),
});

/**
 * A list or watch option combination Kubernetes' ValidateListOptions refuses: 422 Invalid
 * on kind ListOptions (meta.k8s.io), not 400.
 */
export function invalidListOptions(field: string, message: string, reason: 'FieldValueForbidden' | 'FieldValueNotSupported' = 'FieldValueForbidden') {
  const prefix = reason === 'FieldValueForbidden' ? 'Forbidden' : 'Unsupported value';
  return invalid('ListOptions', 'meta.k8s.io', '', [{ reason, field, message: `${prefix}: ${message}` }]);
}

/** Parses URL query parameters with a schema; repeated parameters use their first value. */
export function parseQuery<S extends z.ZodType>(schema: S, params: URLSearchParams): z.infer<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in raw)) raw[k] = v;
  const res = schema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const field = issue.path.join('.');
    throw badRequest(`invalid query parameter ${field}=${JSON.stringify(raw[field] ?? '')}: ${issue.message}`);
  }
  return res.data;
}

/** Label and field selectors of a list or watch, as one predicate. */
export interface Selection {
  label: Selector;
  field: FieldSelector;
  everything: boolean;
  matches(obj: KubeObject): boolean;
}

/**
 * Field attributes, computed once per object: a watch-cache event's object is matched
 * against every watcher's selector (100 kubelets each watching spec.nodeName=<node>),
 * and objects held by the watch cache are never modified in place.
 */
const attributesOf = new WeakMap<KubeObject, Record<string, string>>();

export function fieldAttributes(def: ResourceDef, obj: KubeObject): Record<string, string> {
  const known = attributesOf.get(obj);
  if (known) return known;
  const attrs: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (def.namespaced) attrs['metadata.namespace'] = obj.metadata.namespace ?? '';
  const all = def.fieldAttributes ? { ...attrs, ...def.fieldAttributes(obj) } : attrs;
  attributesOf.set(obj, all);
  return all;
}

export function selectionFrom(def: ResourceDef, q: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>): Selection {
  let label: Selector;
  let field: FieldSelector;
  try {
    label = parseLabelSelector(q.labelSelector ?? '');
  } catch (err) {
    throw badRequest(`unable to parse requirement: ${(err as Error).message}`);
  }
  const supported = [...DEFAULT_FIELD_LABELS, ...Object.keys(def.fieldAttributes ? def.fieldAttributes(emptyObject()) : {})];
  try {
    field = parseFieldSelector(q.fieldSelector ?? '', supported);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const everything = label.isEverything() && field.isEverything();
  return {
    label,
    field,
    everything,
    matches: (obj) =>
      everything || (label.matches(obj.metadata.labels ?? undefined) && (field.isEverything() || field.matches(fieldAttributes(def, obj)))),
  };
}

/** A blank object for discovering which field labels a type supports. */
function emptyObject(): KubeObject {
  return { apiVersion: '', kind: '', metadata: {}, spec: {}, status: {}, involvedObject: {}, source: {} };
}
