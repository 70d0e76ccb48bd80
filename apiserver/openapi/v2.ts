/**
 * A Swagger 2.0 (OpenAPI v2) JSON document derived from the v3 documents, for clients
 * that read /openapi/v2 as JSON. (kubectl and client-go only ever ask for it as
 * protobuf, which tkube does not produce: they use the v3 documents instead.)
 * Differences handled: refs point at #/definitions, parameters carry their type
 * directly, request bodies become `in: body` parameters, responses carry `schema`,
 * and constructs Swagger 2.0 lacks (anyOf, nullable, allOf-wrapped refs) are simplified
 * the way kube-apiserver's v2 document shows them.
 */
import { versionInfo } from '../version.js';
import type { GroupVersionDocument } from './v3.js';
import type { OpenApiSchema } from './zod-to-openapi.js';

type Json = unknown;

function mapValues(obj: unknown, fn: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries((obj ?? {}) as Record<string, unknown>).map(([k, v]) => [k, fn(v)]));
}

/** Rewrites one schema (recursively) into its Swagger 2.0 form. Keys other than subschemas are data, copied as they are. */
export function toV2Schema(schema: Json): Json {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    switch (key) {
      case 'nullable':
        break; // not in Swagger 2.0
      case '$ref':
        out.$ref = typeof value === 'string' ? value.replace('#/components/schemas/', '#/definitions/') : value;
        break;
      case 'properties':
        out.properties = mapValues(value, toV2Schema);
        break;
      case 'items':
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : toV2Schema(value);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = (value as Json[]).map(toV2Schema);
        break;
      default:
        out[key] = value;
    }
  }
  // { allOf: [{$ref}], description } -> { $ref, description } (siblings of $ref are ignored in v2, as in kube's document).
  if (Array.isArray(out.allOf) && out.allOf.length === 1 && (out.allOf[0] as Record<string, unknown>).$ref) {
    const { allOf, ...rest } = out;
    return { ...(allOf as Record<string, unknown>[])[0], ...rest };
  }
  if (Array.isArray(out.anyOf) || Array.isArray(out.oneOf)) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = out;
    // IntOrString / Quantity are strings with a format in v2; other unions accept anything.
    if (rest['x-kubernetes-int-or-string']) return { type: 'string', format: 'int-or-string', ...rest };
    return rest;
  }
  return out;
}

function v2Parameter(param: Record<string, unknown>): Record<string, unknown> {
  const { schema, ...rest } = param;
  return { ...rest, ...(toV2Schema(schema) as Record<string, unknown>) };
}

function v2Operation(op: Record<string, unknown>): Record<string, unknown> {
  const { parameters, requestBody, responses, ...rest } = op;
  const params = ((parameters as Record<string, unknown>[] | undefined) ?? []).map(v2Parameter);
  const consumes = new Set<string>();
  if (requestBody) {
    const body = requestBody as { content: Record<string, { schema: unknown }>; required?: boolean };
    const [first] = Object.values(body.content);
    Object.keys(body.content).forEach((t) => consumes.add(t));
    params.unshift({ name: 'body', in: 'body', ...(body.required ? { required: true } : {}), schema: toV2Schema(first?.schema) });
  }
  const v2Responses: Record<string, unknown> = {};
  const produces = new Set<string>();
  for (const [code, resp] of Object.entries((responses as Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>) ?? {})) {
    const content = resp.content ?? {};
    Object.keys(content).forEach((t) => produces.add(t));
    const [first] = Object.values(content);
    v2Responses[code] = first ? { description: resp.description, schema: toV2Schema(first.schema) } : { description: resp.description };
  }
  return {
    ...rest,
    ...(consumes.size ? { consumes: [...consumes] } : {}),
    ...(produces.size ? { produces: [...produces] } : {}),
    schemes: ['https'],
    ...(params.length ? { parameters: params } : {}),
    responses: v2Responses,
  };
}

export function buildOpenApiV2(docs: readonly GroupVersionDocument[]): OpenApiSchema {
  const definitions: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  for (const { document } of docs) {
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
    for (const [name, schema] of Object.entries(schemas)) definitions[name] ??= toV2Schema(schema);
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(item)) {
        out[key] = key === 'parameters' ? (value as Record<string, unknown>[]).map(v2Parameter) : v2Operation(value as Record<string, unknown>);
      }
      paths[path] = out;
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: versionInfo().gitVersion },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
  };
}
