/**
 * OpenAPI v3 documents, one per group version, as kube-apiserver serves them under
 * /openapi/v3/<api/v1 | apis/<group>/<version>>, plus the /openapi/v3 index that maps
 * each group version to its document URL with a content hash (clients cache by it).
 * Components carry Kubernetes names and x-kubernetes-group-version-kind, which is how
 * `kubectl explain` finds a kind's schema.
 */
import { createHash } from 'node:crypto';
import { ListMeta } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import { groupVersionsOf, type GroupVersion } from '../discovery.js';
import { versionInfo } from '../version.js';
import { resourcePaths, type PathItem, type ResourceRefs } from './paths.js';
import { componentName, META_V1, namesFor, type SchemaNames } from './schema-names.js';
import { DeleteOptions, PATCH_COMPONENT, patchSchema, Scale, Status, wellKnownNames } from './well-known.js';
import { OpenApiConverter, type OpenApiSchema } from './zod-to-openapi.js';

export interface OpenApiOptions {
  /** Names for nested schemas (see namesFromExports); unnamed object schemas are inlined. */
  names?: SchemaNames;
}

export interface GroupVersionDocument {
  /** "api/v1", "apis/apps/v1": the key in the index and the URL suffix. */
  key: string;
  gv: GroupVersion;
  document: OpenApiSchema;
  json: string;
  /** Uppercase hex SHA-512 of json, like kube-apiserver's hash. */
  hash: string;
}

export function groupVersionKey(gv: GroupVersion): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function gvkExtension(group: string, version: string, kind: string): OpenApiSchema {
  return { 'x-kubernetes-group-version-kind': [{ group, kind, version }] };
}

const REF = '#/components/schemas/';
const SCALE_COMPONENT = 'io.k8s.api.autoscaling.v1.Scale';

function listComponent(def: ResourceDef, objectRef: string, listMetaRef: string): OpenApiSchema {
  return {
    description: `${def.listKind} is a list of ${def.kind}.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'The versioned schema of this representation of an object.' },
      items: { type: 'array', description: `List of ${def.plural}.`, items: { $ref: objectRef } },
      kind: { type: 'string', description: 'The REST resource this object represents.' },
      metadata: { allOf: [{ $ref: listMetaRef }], default: {}, description: 'Standard list metadata.' },
    },
    ...gvkExtension(def.group, def.version, def.listKind),
  };
}

/** Builds the document of one group version. */
export function buildGroupVersionDocument(resources: readonly ResourceDef[], gv: GroupVersion, opts: OpenApiOptions = {}): OpenApiSchema {
  const defs = resources.filter((r) => r.group === gv.group && r.version === gv.version);
  const names = namesFor(resources, new Map([...wellKnownNames(), ...(opts.names ?? [])]));
  const extensions = new Map<string, OpenApiSchema>();
  for (const def of resources) extensions.set(componentName(def.group, def.version, def.kind), gvkExtension(def.group, def.version, def.kind));
  extensions.set(SCALE_COMPONENT, gvkExtension('autoscaling', 'v1', 'Scale'));
  extensions.set(`${META_V1}.Status`, gvkExtension('', 'v1', 'Status'));
  extensions.set(`${META_V1}.DeleteOptions`, gvkExtension('', 'v1', 'DeleteOptions'));
  const converter = new OpenApiConverter(names, extensions);
  // The API types may define their own Scale; prefer it to our documentation-only one.
  const scaleSchema = [...(opts.names ?? [])].find(([, name]) => name === SCALE_COMPONENT)?.[0] ?? Scale;

  const listMetaRef = converter.refTo(ListMeta).$ref as string;
  const statusRef = converter.refTo(Status).$ref as string;
  const deleteOptionsRef = converter.refTo(DeleteOptions).$ref as string;
  converter.components[PATCH_COMPONENT] = patchSchema;

  const paths: Record<string, PathItem> = {};
  for (const def of defs) {
    const objectRef = converter.refTo(def.schema).$ref as string;
    const listName = componentName(def.group, def.version, def.listKind);
    converter.components[listName] = listComponent(def, objectRef, listMetaRef);
    const refs: ResourceRefs = {
      object: objectRef,
      list: REF + listName,
      scale: def.scale ? (converter.refTo(scaleSchema, SCALE_COMPONENT).$ref as string) : '',
      status: statusRef,
      deleteOptions: deleteOptionsRef,
      patch: REF + PATCH_COMPONENT,
    };
    Object.assign(paths, resourcePaths(def, refs));
  }

  const schemas = Object.fromEntries(Object.entries(converter.components).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: versionInfo().gitVersion },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas },
  };
}

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text).digest('hex').toUpperCase();
}

/** Every group version's document, generated together. */
export function buildOpenApiV3(resources: readonly ResourceDef[], opts: OpenApiOptions = {}): GroupVersionDocument[] {
  return groupVersionsOf(resources).map((gv) => {
    const document = buildGroupVersionDocument(resources, gv, opts);
    const json = JSON.stringify(document);
    return { key: groupVersionKey(gv), gv, document, json, hash: sha512Hex(json) };
  });
}

/** The /openapi/v3 index. */
export function openApiV3Index(docs: readonly GroupVersionDocument[]) {
  return {
    paths: Object.fromEntries(docs.map((d) => [d.key, { serverRelativeURL: `/openapi/v3/${d.key}?hash=${d.hash}` }])),
  };
}
