/**
 * Request-body decoding and validation for the apiserver.
 *
 * decode() plays the part of Kubernetes' JSON decoder: wrong JSON types are a 400
 * BadRequest naming the field, unknown fields are collected (as dotted paths) and
 * stripped so the caller can apply its fieldValidation mode, and everything else the
 * schema rejects is a 422 Invalid with one cause per field. validateObject() is the
 * strategy step that follows: cross-field defaults, then per-type validation.
 */
import type { z } from 'zod';
import { ApiError, type StatusCause, badRequest, invalid } from './meta/errors.js';
import type { KubeObject } from './meta/object-meta.js';
import { fieldInvalid, fieldNotSupported, fieldRequired, validateObjectMetaUpdate } from './meta/validation.js';
import type { ResourceDef } from './resource.js';

export interface Decoded<T> {
  object: T;
  /** Fields the schema does not know, e.g. "spec.template.spec.containers[0].foo"; already removed from object. */
  unknownFields: string[];
}

/** What a decoded body is, for error messages: `Deployment in version "v1" cannot be handled as a Deployment`. */
export interface DecodeTarget {
  kind: string;
  group: string;
  version: string;
}

/**
 * A decode failure that also carries the unknown fields found in the body, so the
 * caller can still honour fieldValidation=Strict (which reports them before anything else).
 */
export class DecodeError extends ApiError {
  constructor(cause: ApiError, readonly unknownFields: string[]) {
    super(cause.code, cause.reason, cause.message, cause.details);
    this.name = 'DecodeError';
  }
}

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Dotted path with [i] for array indexes, as Kubernetes prints field paths. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy without null-valued object fields: Go's decoder reads null as "not set". */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
    return out;
  }
  return value;
}

/** True when some object field anywhere in value is null (then withoutNulls must copy). */
function hasNullField(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNullField(value[i])) return true;
    return false;
  }
  if (typeof value === 'object' && value !== null) {
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      const v = (value as Record<string, unknown>)[k];
      if (v === null || hasNullField(v)) return true;
    }
  }
  return false;
}

function deleteAt(root: unknown, path: Path, key: string): void {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<PropertyKey, unknown>)[seg as string];
  }
  if (isPlainObject(node)) delete node[key];
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function goTypeOf(expected: string): string {
  switch (expected) {
    case 'number':
    case 'int':
      return 'int32';
    case 'boolean':
      return 'bool';
    case 'record':
      return 'map[string]string';
    case 'array':
      return 'array';
    default:
      return expected;
  }
}

/** Issues that are a JSON type mismatch (a 400 in Kubernetes) rather than a semantic one. */
function isTypeMismatch(issue: Issue): boolean {
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') return issue.input !== undefined;
  // An enum (always a string in the API) given a number, a boolean, an object...
  if (issue.code === 'invalid_value') return issue.input !== undefined && typeof issue.input !== 'string';
  return false;
}

function expectedTypeOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return goTypeOf(issue.expected);
  if (issue.code === 'invalid_value') return 'string';
  return 'int or string';
}

function typeMismatchMessage(issue: Issue): string {
  const field = formatPath(issue.path);
  const expected = expectedTypeOf(issue);
  const got = jsonTypeOf(issue.input);
  if (issue.code === 'invalid_type' && issue.expected === 'int' && typeof issue.input === 'number') {
    return `json: cannot unmarshal number ${issue.input} into Go struct field ${field} of type int32`;
  }
  return field
    ? `json: cannot unmarshal ${got} into Go struct field ${field} of type ${expected}`
    : `json: cannot unmarshal ${got} into Go value of type ${expected}`;
}

function issueToCause(issue: Issue): StatusCause {
  const field = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_union':
      return fieldRequired(field);
    case 'invalid_value':
      if (issue.input === undefined) return fieldRequired(field);
      return fieldNotSupported(field, issue.input, issue.values.map((v) => String(v)));
    default:
      return fieldInvalid(field, issue.input, issue.message);
  }
}

function nameOf(raw: unknown): string {
  const meta = isPlainObject(raw) ? raw['metadata'] : undefined;
  if (!isPlainObject(meta)) return '';
  const name = meta['name'] ?? meta['generateName'];
  return typeof name === 'string' ? name : '';
}

/** Decodes any body against a schema (objects, DeleteOptions, Scale, Binding). */
export function decodeSchema<T>(schema: z.ZodType<T>, raw: unknown, target: DecodeTarget): Decoded<T> {
  const cannotHandle = `${target.kind} in version "${target.version}" cannot be handled as a ${target.kind}`;
  if (!isPlainObject(raw)) {
    throw badRequest(`${cannotHandle}: json: cannot unmarshal ${jsonTypeOf(raw)} into Go value of type ${target.kind}`);
  }
  // Most bodies have no nulls: parse them as they are (zod builds a new object anyway) and
  // copy only when something must be removed, so the caller's raw body is never mutated.
  let body = hasNullField(raw) ? withoutNulls(raw) : raw;
  let result = schema.safeParse(body, { reportInput: true });
  const unknownFields: string[] = [];
  if (!result.success) {
    if (body === raw && result.error.issues.some((i) => i.code === 'unrecognized_keys')) body = withoutNulls(raw);
    for (const issue of result.error.issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      for (const key of issue.keys) {
        unknownFields.push(formatPath([...issue.path, key]));
        deleteAt(body, issue.path, key);
      }
    }
    if (unknownFields.length > 0) result = schema.safeParse(body, { reportInput: true });
  }
  if (result.success) return { object: result.data, unknownFields };

  const issues = result.error.issues.filter((i) => i.code !== 'unrecognized_keys');
  const mismatch = issues.find(isTypeMismatch);
  if (mismatch) throw new DecodeError(badRequest(`${cannotHandle}: ${typeMismatchMessage(mismatch)}`), unknownFields);
  throw new DecodeError(invalid(target.kind, target.group, nameOf(raw), issues.map(issueToCause)), unknownFields);
}

/** Decodes a request body as an object of `def`: schema defaults applied, unknown fields reported and stripped. */
export function decode<T extends KubeObject>(def: ResourceDef<T>, raw: unknown): Decoded<T> {
  return decodeSchema(def.schema, raw, def);
}

/**
 * The strategy step after decoding: cross-field defaults, then per-type validation
 * (including metadata), then the update rules when `old` is given. Mutates obj (defaults).
 */
export function validateObject<T extends KubeObject>(def: ResourceDef<T>, obj: T, old?: T): void {
  def.applyDefaults?.(obj);
  const causes: StatusCause[] = [...(def.validate?.(obj) ?? [])];
  if (old) {
    causes.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
    causes.push(...(def.validateUpdate?.(obj, old) ?? []));
  }
  if (causes.length > 0) throw invalid(def.kind, def.group, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
}

