/**
 * API discovery documents, built from the ResourceDef list:
 *  - legacy: /api (APIVersions), /apis (APIGroupList), /apis/<group> (APIGroup),
 *    /api/v1 and /apis/<group>/<version> (APIResourceList);
 *  - aggregated (apidiscovery.k8s.io v2, and v2beta1): /api and /apis answer with an
 *    APIGroupDiscoveryList carrying every resource at once, which is what kubectl >= 1.30
 *    asks for first. client-go decides which format it got from the response
 *    Content-Type, so negotiateDiscovery returns the Content-Type along with the format.
 * Documents are pure data; they are generated once per resource list and cached.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../api/meta/errors.js';
import { apiVersionOf, type ResourceDef } from '../api/resource.js';

/** What an HTTP handler sends: body, Content-Type, and optionally status, ETag and extra headers. */
export interface ServedDocument {
  body: string | Buffer;
  contentType: string;
  etag?: string;
  /** 200 when absent. */
  status?: number;
  headers?: Record<string, string>;
}

export interface DiscoveryOptions {
  /** host:port clients should use, reported in serverAddressByClientCIDRs. */
  serverAddress?: string;
}

// ---------- subresources ----------

export interface SubresourceDef {
  name: string; // 'status', 'scale', 'log', ...
  kind: string;
  /** Group/version of the kind when it differs from the parent's (Scale is autoscaling/v1). */
  group?: string;
  version?: string;
  verbs: string[];
}

const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** Subresources served by the apiserver beyond status and scale (proxies and streams to the kubelet). */
const EXTRA_SUBRESOURCES: Record<string, SubresourceDef[]> = {
  '/pods': [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
  '/namespaces': [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  '/serviceaccounts': [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  '/nodes': [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
};

/** The subresources of a resource, sorted by name as Kubernetes lists them. */
export function subresourcesOf(def: ResourceDef): SubresourceDef[] {
  const subs: SubresourceDef[] = [...(EXTRA_SUBRESOURCES[`${def.group}/${def.plural}`] ?? [])];
  if (def.hasStatus) subs.push({ name: 'status', kind: def.kind, verbs: SUBRESOURCE_VERBS });
  if (def.scale) subs.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: SUBRESOURCE_VERBS });
  return subs.sort((a, b) => a.name.localeCompare(b.name));
}

// ---------- group versions ----------

export interface GroupVersion {
  group: string;
  version: string;
}

/** The group versions served, in the order of first appearance in the resource list. */
export function groupVersionsOf(resources: readonly ResourceDef[]): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of resources) {
    const key = apiVersionOf(r);
    if (!seen.has(key)) seen.set(key, { group: r.group, version: r.version });
  }
  return [...seen.values()];
}

function resourcesIn(resources: readonly ResourceDef[], gv: GroupVersion): ResourceDef[] {
  return resources
    .filter((r) => r.group === gv.group && r.version === gv.version)
    .sort((a, b) => a.plural.localeCompare(b.plural));
}

/** Non-core groups with their versions (first listed is preferred). */
function namedGroups(resources: readonly ResourceDef[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const gv of groupVersionsOf(resources)) {
    if (!gv.group) continue;
    const versions = groups.get(gv.group) ?? [];
    versions.push(gv.version);
    groups.set(gv.group, versions);
  }
  return groups;
}

/** Like kube-apiserver: a hash clients use to notice a storage version change. */
function storageVersionHash(def: ResourceDef): string {
  return createHash('sha256').update(`${def.group}/${def.version}/${def.kind}`).digest().subarray(0, 8).toString('base64');
}

// ---------- legacy documents ----------

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export function apiVersionsDocument(resources: readonly ResourceDef[], opts: DiscoveryOptions = {}) {
  return {
    kind: 'APIVersions',
    versions: groupVersionsOf(resources)
      .filter((gv) => gv.group === '')
      .map((gv) => gv.version),
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: opts.serverAddress ?? '127.0.0.1:6443' }],
  };
}

function apiGroup(name: string, versions: string[]) {
  const gvs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: gvs, preferredVersion: gvs[0]! };
}

export function apiGroupListDocument(resources: readonly ResourceDef[]) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...namedGroups(resources)].map(([name, versions]) => apiGroup(name, versions)),
  };
}

export function apiGroupDocument(resources: readonly ResourceDef[], group: string) {
  const versions = namedGroups(resources).get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) } : undefined;
}

function apiResourceOf(def: ResourceDef): APIResource {
  const out: APIResource = {
    name: def.plural,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: [...def.verbs],
  };
  if (def.shortNames?.length) out.shortNames = [...def.shortNames];
  if (def.categories?.length) out.categories = [...def.categories];
  out.storageVersionHash = storageVersionHash(def);
  return out;
}

function apiSubresourceOf(def: ResourceDef, sub: SubresourceDef): APIResource {
  const out: APIResource = {
    name: `${def.plural}/${sub.name}`,
    singularName: '',
    namespaced: def.namespaced,
    kind: sub.kind,
    verbs: [...sub.verbs],
  };
  if (sub.group !== undefined) out.group = sub.group;
  if (sub.version !== undefined) out.version = sub.version;
  return out;
}

export function apiResourceListDocument(resources: readonly ResourceDef[], gv: GroupVersion) {
  const defs = resourcesIn(resources, gv);
  if (defs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(gv),
    resources: defs.flatMap((def) => [apiResourceOf(def), ...subresourcesOf(def).map((s) => apiSubresourceOf(def, s))]),
  };
}

// ---------- aggregated documents (apidiscovery.k8s.io) ----------

export type AggregatedVersion = 'v2' | 'v2beta1';

function responseKind(group: string, version: string, kind: string) {
  return { group, version, kind };
}

function discoveryResource(def: ResourceDef) {
  const out: Record<string, unknown> = {
    resource: def.plural,
    // Empty group/version mean "the same as the enclosing group version", as kube-apiserver sends.
    responseKind: responseKind('', '', def.kind),
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: [...def.verbs],
  };
  if (def.shortNames?.length) out.shortNames = [...def.shortNames];
  if (def.categories?.length) out.categories = [...def.categories];
  const subs = subresourcesOf(def);
  if (subs.length) {
    out.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: responseKind(s.group ?? '', s.version ?? '', s.kind),
      verbs: [...s.verbs],
    }));
  }
  return out;
}

function discoveryGroup(resources: readonly ResourceDef[], group: string, versions: string[]) {
  return {
    metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
    versions: versions.map((version) => ({
      version,
      resources: resourcesIn(resources, { group, version }).map(discoveryResource),
      freshness: 'Current',
    })),
  };
}

/** /api (core: one nameless group) or /apis (every named group) as an APIGroupDiscoveryList. */
export function aggregatedDiscoveryDocument(resources: readonly ResourceDef[], root: 'api' | 'apis', version: AggregatedVersion = 'v2') {
  const items =
    root === 'api'
      ? [discoveryGroup(resources, '', groupVersionsOf(resources).filter((gv) => !gv.group).map((gv) => gv.version))]
      : [...namedGroups(resources)].map(([name, versions]) => discoveryGroup(resources, name, versions));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: items.filter((g) => g.versions.length > 0),
  };
}

// ---------- content negotiation ----------

export interface MediaRange {
  type: string; // 'application/json', '*/*'
  params: Record<string, string>;
  q: number;
}

/** Parses an Accept header into media ranges, highest q first (ties keep header order). */
export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept || !accept.trim()) return [{ type: '*/*', params: {}, q: 1 }];
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [rawType, ...rawParams] = part.split(';');
    const type = rawType!.trim().toLowerCase();
    if (!type) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else params[key] = value;
    }
    if (q > 0) ranges.push({ type, params, q });
  }
  return ranges.map((r, i) => ({ r, i })).sort((a, b) => b.r.q - a.r.q || a.i - b.i).map(({ r }) => r);
}

/** Whether a media range accepts plain JSON (no g/v/as parameters asking for another type). */
export function acceptsPlainJson(range: MediaRange): boolean {
  if (range.params.g || range.params.v || range.params.as) return false;
  return range.type === 'application/json' || range.type === 'application/*' || range.type === '*/*';
}

export type DiscoveryFormat =
  | { kind: 'aggregated'; version: AggregatedVersion; contentType: string }
  | { kind: 'legacy'; contentType: string };

export function aggregatedContentType(version: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/**
 * Picks the discovery format for an Accept header. kubectl 1.32 sends
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,
 * application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`
 * and reads the answer's Content-Type to know which one it got. Protobuf is never
 * offered. undefined means nothing acceptable (406).
 */
export function negotiateDiscovery(accept: string | undefined, allowAggregated = true): DiscoveryFormat | undefined {
  for (const range of parseAccept(accept)) {
    const { g, v, as } = range.params;
    if (g || v || as) {
      if (
        allowAggregated &&
        range.type === 'application/json' &&
        g === 'apidiscovery.k8s.io' &&
        as === 'APIGroupDiscoveryList' &&
        (v === 'v2' || v === 'v2beta1')
      ) {
        return { kind: 'aggregated', version: v, contentType: aggregatedContentType(v) };
      }
      continue;
    }
    if (acceptsPlainJson(range)) return { kind: 'legacy', contentType: 'application/json' };
  }
  return undefined;
}

// ---------- serving ----------

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32).toUpperCase()}"`;
}

function jsonDocument(doc: unknown, contentType = 'application/json'): ServedDocument {
  const body = JSON.stringify(doc);
  return { body, contentType, etag: etagOf(body) };
}

export function notAcceptable(message: string): ServedDocument {
  return { status: 406, contentType: 'application/json', body: JSON.stringify(new ApiError(406, 'NotAcceptable', message).toStatus()) };
}

const cache = new WeakMap<readonly ResourceDef[], Map<string, ServedDocument | null>>();

/**
 * The discovery document for a request path, or undefined when the path is not a
 * discovery path (or names an unknown group/version: the caller answers 404).
 */
export function discoveryResponse(
  path: string,
  accept: string | undefined,
  resources: readonly ResourceDef[],
  opts: DiscoveryOptions = {},
): ServedDocument | undefined {
  const clean = path.replace(/\/+$/, '') || '/';
  const parts = clean.split('/').filter(Boolean);
  const isRoot = clean === '/api' || clean === '/apis';
  const isDiscoveryPath =
    isRoot || (parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && (parts.length === 2 || parts.length === 3));
  if (!isDiscoveryPath) return undefined;

  const format = negotiateDiscovery(accept, isRoot);
  if (!format) {
    return notAcceptable(`only the following media types are accepted: application/json${isRoot ? ', ' + aggregatedContentType('v2') : ''}`);
  }
  const key = `${clean} ${format.contentType} ${opts.serverAddress ?? ''}`;
  let perList = cache.get(resources);
  if (!perList) cache.set(resources, (perList = new Map()));
  if (perList.has(key)) return perList.get(key) ?? undefined;

  const doc = buildDocument(parts, format, resources, opts);
  const served = doc === undefined ? null : jsonDocument(doc, format.contentType);
  perList.set(key, served);
  return served ?? undefined;
}

function buildDocument(parts: string[], format: DiscoveryFormat, resources: readonly ResourceDef[], opts: DiscoveryOptions): unknown {
  const root = parts[0] as 'api' | 'apis';
  if (parts.length === 1) {
    if (format.kind === 'aggregated') return aggregatedDiscoveryDocument(resources, root, format.version);
    return root === 'api' ? apiVersionsDocument(resources, opts) : apiGroupListDocument(resources);
  }
  if (root === 'api') return apiResourceListDocument(resources, { group: '', version: parts[1]! });
  if (parts.length === 2) return apiGroupDocument(resources, parts[1]!);
  return apiResourceListDocument(resources, { group: parts[1]!, version: parts[2]! });
}
