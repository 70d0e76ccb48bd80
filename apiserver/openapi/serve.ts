/**
 * HTTP answers for /openapi/v3, /openapi/v3/<group version> and /openapi/v2. The
 * documents are generated once per resource list (they are large) and cached with
 * their hashes. Like kube-apiserver: a document fetched with the current `?hash=` is
 * immutable and cacheable for a year; a stale hash is redirected to the current one.
 * The v3 documents are JSON only (a request accepting nothing else gets 406); /openapi/v2
 * is also served as protobuf, which is how client-go asks for it.
 */
import type { ResourceDef } from '../../api/resource.js';
import { acceptsPlainJson, notAcceptable, parseAccept, type ServedDocument } from '../discovery.js';
import { kubernetesOpenApiOptions } from './type-names.js';
import { buildOpenApiV2 } from './v2.js';
import { encodeOpenApiV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_RESPONSE } from './v2-protobuf.js';
import { buildOpenApiV3, openApiV3Index, sha512Hex, type GroupVersionDocument, type OpenApiOptions } from './v3.js';

interface Built {
  docs: Map<string, GroupVersionDocument>;
  index: ServedDocument;
  v2?: { json: ServedDocument; protobuf: ServedDocument };
}

const cache = new WeakMap<readonly ResourceDef[], Built>();

let defaultOptions: OpenApiOptions | undefined;
/** Kubernetes names for the API types' nested schemas (api/types). */
function defaults(): OpenApiOptions {
  return (defaultOptions ??= kubernetesOpenApiOptions());
}

function built(resources: readonly ResourceDef[], opts: OpenApiOptions): Built {
  let b = cache.get(resources);
  if (!b) {
    const docs = buildOpenApiV3(resources, opts);
    const indexJson = JSON.stringify(openApiV3Index(docs));
    b = {
      docs: new Map(docs.map((d) => [d.key, d])),
      index: { body: indexJson, contentType: 'application/json', etag: `"${sha512Hex(indexJson)}"`, headers: { 'Cache-Control': 'no-cache, private' } },
    };
    cache.set(resources, b);
  }
  return b;
}

/** Generates and caches every document now (say, at apiserver start) rather than on the first request. */
export function warmOpenApi(resources: readonly ResourceDef[], opts: OpenApiOptions = defaults()): void {
  v2Documents(built(resources, opts));
}

function v2Documents(b: Built): { json: ServedDocument; protobuf: ServedDocument } {
  if (!b.v2) {
    const doc = buildOpenApiV2([...b.docs.values()]);
    const json = JSON.stringify(doc);
    const etag = `"${sha512Hex(json)}"`;
    const headers = { 'Cache-Control': 'no-cache, private', Vary: 'Accept' };
    b.v2 = {
      json: { body: json, contentType: 'application/json', etag, headers },
      protobuf: { body: encodeOpenApiV2(doc), contentType: OPENAPI_V2_PROTOBUF_RESPONSE, etag, headers },
    };
  }
  return b.v2;
}

/** client-go asks for the protobuf form only; `kubectl get --raw` and browsers get JSON. */
function v2Response(b: Built, accept: string | undefined): ServedDocument {
  for (const range of parseAccept(accept)) {
    if (range.type === OPENAPI_V2_PROTOBUF || range.type === OPENAPI_V2_PROTOBUF_RESPONSE) return v2Documents(b).protobuf;
    if (acceptsPlainJson(range)) return v2Documents(b).json;
  }
  return notAcceptable(`only application/json and ${OPENAPI_V2_PROTOBUF} are served for /openapi/v2`);
}

function wantsJson(accept: string | undefined): boolean {
  return parseAccept(accept).some(acceptsPlainJson);
}

function hashParam(query: string | URLSearchParams | undefined): string | null {
  if (query === undefined) return null;
  const params = typeof query === 'string' ? new URLSearchParams(query.replace(/^\?/, '')) : query;
  return params.get('hash');
}

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The answer for an OpenAPI path, or undefined when the path is not one of ours
 * (including unknown group versions: the caller answers 404).
 */
export function openApiResponse(
  path: string,
  query: string | URLSearchParams | undefined,
  accept: string | undefined,
  resources: readonly ResourceDef[],
  /** Used when the documents of `resources` are first generated; they are cached per list. */
  opts: OpenApiOptions = defaults(),
): ServedDocument | undefined {
  const clean = path.replace(/\/+$/, '');
  if (clean === '/openapi/v2') {
    return v2Response(built(resources, opts), accept);
  }
  if (clean === '/openapi/v3') {
    if (!wantsJson(accept)) return notAcceptable('only application/json is served for /openapi/v3');
    return built(resources, opts).index;
  }
  if (!clean.startsWith('/openapi/v3/')) return undefined;
  const doc = built(resources, opts).docs.get(clean.slice('/openapi/v3/'.length));
  if (!doc) return undefined;
  if (!wantsJson(accept)) return notAcceptable(`only application/json is served for ${clean}`);

  const asked = hashParam(query);
  const current = `/openapi/v3/${doc.key}?hash=${doc.hash}`;
  if (asked !== null && asked !== doc.hash) {
    return { status: 301, body: '', contentType: 'text/plain', headers: { Location: current } };
  }
  const headers: Record<string, string> =
    asked === null
      ? { 'Cache-Control': 'no-cache, private' }
      : {
          'Cache-Control': `public, immutable, max-age=${ONE_YEAR_SECONDS}`,
          Expires: new Date(Date.now() + ONE_YEAR_SECONDS * 1000).toUTCString(),
        };
  return { body: doc.json, contentType: 'application/json', etag: `"${doc.hash}"`, headers };
}
