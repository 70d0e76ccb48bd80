/**
 * The OpenAPI v3 paths of one resource: collection, item, all-namespaces list and the
 * status/scale subresources, each operation tagged with x-kubernetes-action and
 * x-kubernetes-group-version-kind like kube-apiserver's document.
 *
 * kubectl 1.32 decides whether the server validates fields itself (and then sends
 * `fieldValidation=Strict` instead of validating client-side) by looking for a
 * `fieldValidation` parameter on the PATCH operation tagged with the object's GVK
 * (QueryParamVerifierV3), so every write operation lists it.
 */
import type { ResourceDef } from '../../api/resource.js';
import type { OpenApiSchema } from './zod-to-openapi.js';

export type Operation = Record<string, unknown>;
export interface PathItem {
  parameters?: OpenApiSchema[];
  get?: Operation;
  post?: Operation;
  put?: Operation;
  patch?: Operation;
  delete?: Operation;
}

export interface ResourceRefs {
  /** $ref of the object, its list, the Scale, Status, DeleteOptions and Patch components. */
  object: string;
  list: string;
  scale: string;
  status: string;
  deleteOptions: string;
  patch: string;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

function queryParam(name: string, description: string, type: 'string' | 'boolean' | 'integer' = 'string'): OpenApiSchema {
  return { name, in: 'query', description, schema: type === 'integer' ? { type, format: 'int32' } : { type }, uniqueItems: true };
}

function pathParam(name: string, description: string): OpenApiSchema {
  return { name, in: 'path', description, required: true, schema: { type: 'string' }, uniqueItems: true };
}

const P = {
  pretty: queryParam('pretty', "If 'true', the output is pretty printed."),
  dryRun: queryParam('dryRun', 'When present, modifications are not persisted. The only valid value is All.'),
  fieldManager: queryParam('fieldManager', 'Name of the actor or entity making these changes; recorded in managedFields.'),
  fieldValidation: queryParam(
    'fieldValidation',
    'How the server treats unknown and duplicate fields in the request body: Ignore drops them silently, ' +
      'Warn drops them and returns a warning for each, Strict rejects the request with an error naming each one.',
  ),
  force: queryParam('force', 'Apply requests only: take ownership of fields owned by other managers instead of failing.', 'boolean'),
  labelSelector: queryParam('labelSelector', 'Restrict the returned objects to those whose labels match this selector.'),
  fieldSelector: queryParam('fieldSelector', 'Restrict the returned objects to those whose fields match this selector.'),
  limit: queryParam('limit', 'Maximum number of objects to return; a continue token is returned when more exist.', 'integer'),
  continue: queryParam('continue', 'The continue token of a previous list call, to fetch the next page.'),
  resourceVersion: queryParam('resourceVersion', 'Which version of the data the request may be served from.'),
  resourceVersionMatch: queryParam('resourceVersionMatch', 'How resourceVersion applies to list calls: Exact or NotOlderThan.'),
  timeoutSeconds: queryParam('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: queryParam('watch', 'Watch for changes to the described resources and return them as a stream of events.', 'boolean'),
  allowWatchBookmarks: queryParam('allowWatchBookmarks', 'Request BOOKMARK watch events.', 'boolean'),
  sendInitialEvents: queryParam('sendInitialEvents', 'With watch=true, start the stream with synthetic ADDED events for every existing object.', 'boolean'),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'Seconds before the object should be deleted; zero means immediately.', 'integer'),
  propagationPolicy: queryParam('propagationPolicy', 'Whether and how garbage collection is performed: Orphan, Background or Foreground.'),
  orphanDependents: queryParam('orphanDependents', 'Deprecated: use propagationPolicy.', 'boolean'),
};

const LIST_PARAMS = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit,
  P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

function ref(name: string): OpenApiSchema {
  return { $ref: name };
}

function content(schemaRef: string, types = ['application/json', 'application/yaml']): OpenApiSchema {
  return Object.fromEntries(types.map((t) => [t, { schema: ref(schemaRef) }]));
}

function responses(codes: number[], schemaRef: string): OpenApiSchema {
  const text: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };
  const out: OpenApiSchema = {};
  for (const code of codes) out[String(code)] = { description: text[code], content: content(schemaRef) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** "coordination.k8s.io" v1 -> "CoordinationV1", "" -> "CoreV1" (as in kube operation ids). */
function groupVersionWord(group: string, version: string): string {
  const g = group === '' ? 'core' : group.split('.')[0]!;
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return cap(g) + cap(version);
}

export function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]!}_${version}`;
}

function operation(
  action: string,
  opId: string,
  description: string,
  tag: string,
  gvk: Gvk,
  extra: Partial<Operation>,
): Operation {
  return {
    tags: [tag],
    description,
    operationId: opId,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: gvk.group, version: gvk.version, kind: gvk.kind },
  };
}

function patchBody(patchRef: string): OpenApiSchema {
  const types = [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ];
  return { content: Object.fromEntries(types.map((t) => [t, { schema: ref(patchRef) }])), required: true };
}

function bodyOf(schemaRef: string): OpenApiSchema {
  return { content: { '*/*': { schema: ref(schemaRef) } }, required: true };
}

/** Read/replace/patch operations on one object path (the object, or its status/scale). */
function itemOperations(
  verbs: Set<string>,
  id: string,
  what: string,
  tag: string,
  gvk: Gvk,
  schemaRef: string,
  refs: ResourceRefs,
): Partial<PathItem> {
  const item: Partial<PathItem> = {};
  if (verbs.has('get')) item.get = operation('get', `read${id}`, `read ${what}`, tag, gvk, { responses: responses([200], schemaRef) });
  if (verbs.has('update')) {
    item.put = operation('put', `replace${id}`, `replace ${what}`, tag, gvk, {
      parameters: WRITE_PARAMS,
      requestBody: bodyOf(schemaRef),
      responses: responses([200, 201], schemaRef),
    });
  }
  if (verbs.has('patch')) {
    item.patch = operation('patch', `patch${id}`, `partially update ${what}`, tag, gvk, {
      parameters: [...WRITE_PARAMS, P.force],
      requestBody: patchBody(refs.patch),
      responses: responses([200, 201], schemaRef),
    });
  }
  return item;
}

/** Every path of one resource, keyed by URL template. */
export function resourcePaths(def: ResourceDef, refs: ResourceRefs): Record<string, PathItem> {
  const verbs = new Set(def.verbs);
  const root = def.group === '' ? `/api/${def.version}` : `/apis/${def.group}/${def.version}`;
  const gv = groupVersionWord(def.group, def.version);
  const tag = tagOf(def.group, def.version);
  const gvk: Gvk = { group: def.group, version: def.version, kind: def.kind };
  const scope = def.namespaced ? 'Namespaced' : '';
  const collection = def.namespaced ? `${root}/namespaces/{namespace}/${def.plural}` : `${root}/${def.plural}`;
  const scopeParams = def.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const nameParam = pathParam('name', `name of the ${def.kind}`);
  const paths: Record<string, PathItem> = {};

  const coll: PathItem = { parameters: [...scopeParams, P.pretty] };
  if (verbs.has('list')) {
    coll.get = operation('list', `list${gv}${scope}${def.kind}`, `list or watch objects of kind ${def.kind}`, tag, gvk, {
      parameters: LIST_PARAMS,
      responses: responses([200], refs.list),
    });
  }
  if (verbs.has('create')) {
    coll.post = operation('post', `create${gv}${scope}${def.kind}`, `create a ${def.kind}`, tag, gvk, {
      parameters: WRITE_PARAMS,
      requestBody: bodyOf(refs.object),
      responses: responses([200, 201, 202], refs.object),
    });
  }
  if (verbs.has('deletecollection')) {
    coll.delete = operation('deletecollection', `delete${gv}Collection${scope}${def.kind}`, `delete collection of ${def.kind}`, tag, gvk, {
      parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      requestBody: { content: { '*/*': { schema: ref(refs.deleteOptions) } } },
      responses: responses([200], refs.status),
    });
  }
  if (coll.get || coll.post || coll.delete) paths[collection] = coll;

  const item: PathItem = { parameters: [nameParam, ...scopeParams, P.pretty] };
  Object.assign(item, itemOperations(verbs, `${gv}${scope}${def.kind}`, `the specified ${def.kind}`, tag, gvk, refs.object, refs));
  if (verbs.has('delete')) {
    item.delete = operation('delete', `delete${gv}${scope}${def.kind}`, `delete a ${def.kind}`, tag, gvk, {
      parameters: DELETE_PARAMS,
      requestBody: { content: { '*/*': { schema: ref(refs.deleteOptions) } } },
      responses: responses([200, 202], refs.status),
    });
  }
  if (item.get || item.put || item.patch || item.delete) paths[`${collection}/{name}`] = item;

  if (def.namespaced && verbs.has('list')) {
    paths[`${root}/${def.plural}`] = {
      parameters: [P.pretty],
      get: operation('list', `list${gv}${def.kind}ForAllNamespaces`, `list or watch objects of kind ${def.kind}`, tag, gvk, {
        parameters: LIST_PARAMS,
        responses: responses([200], refs.list),
      }),
    };
  }

  const subVerbs = new Set(['get', 'patch', 'update']);
  if (def.hasStatus) {
    paths[`${collection}/{name}/status`] = {
      parameters: [nameParam, ...scopeParams, P.pretty],
      ...itemOperations(subVerbs, `${gv}${scope}${def.kind}Status`, `status of the specified ${def.kind}`, tag, gvk, refs.object, refs),
    };
  }
  if (def.scale) {
    const scaleGvk: Gvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    paths[`${collection}/{name}/scale`] = {
      parameters: [nameParam, ...scopeParams, P.pretty],
      ...itemOperations(subVerbs, `${gv}${scope}${def.kind}Scale`, `scale of the specified ${def.kind}`, tag, scaleGvk, refs.scale, refs),
    };
  }
  return paths;
}
