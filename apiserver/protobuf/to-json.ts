/**
 * Converts a decoded Kubernetes protobuf message to the JSON form the API uses, following what
 * Go does: decode into the Go struct, then encode with encoding/json.
 *
 * - Go writes every non-pointer field, so a zero scalar on the wire usually means "unset" and
 *   is dropped (omitempty); fields marked `(keep)` in the .proto (pointers, non-omitempty
 *   fields) keep their zero.
 * - Empty repeated fields and maps are dropped; nested messages stay, even when empty ({}), as
 *   Go writes non-pointer structs.
 * - Fields marked `(inline)` are merged into the parent (Go's `json:",inline"`).
 * - Well-known types: Time → RFC 3339 (seconds), MicroTime → RFC 3339 with microseconds,
 *   IntOrString → number or string, Quantity → string, FieldsV1 → its JSON document,
 *   bytes → base64.
 */
import protobuf from 'protobufjs';
import { badRequest } from '../../api/meta/errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const META = '.k8s.io.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const FIELDS_V1 = `${META}.FieldsV1`;
const INT_OR_STRING = '.k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = '.k8s.io.apimachinery.pkg.api.resource.Quantity';
const EXTRA_VALUE = '.k8s.io.api.certificates.v1.ExtraValue';

type DecodedMessage = { [field: string]: unknown };

export function messageToJson(type: protobuf.Type, message: protobuf.Message): JsonObject {
  return objectFromMessage(type, message as unknown as DecodedMessage);
}

function objectFromMessage(type: protobuf.Type, message: DecodedMessage): JsonObject {
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const raw = message[field.name];
    if (field instanceof protobuf.MapField) {
      const entries = Object.entries(raw as Record<string, unknown>);
      if (entries.length === 0) continue;
      const map: JsonObject = {};
      for (const [key, value] of entries) map[key] = valueOf(field, value) ?? null;
      out[field.name] = map;
    } else if (field.repeated) {
      const items = raw as unknown[];
      if (items.length === 0) continue;
      out[field.name] = items.map((item) => valueOf(field, item) ?? null);
    } else {
      const value = valueOf(field, raw);
      if (value === undefined) continue;
      if (isZero(value) && field.options?.['(keep)'] !== true) continue;
      if (field.options?.['(inline)'] === true && isObject(value)) Object.assign(out, value);
      else out[field.name] = value;
    }
  }
  return out;
}

/** One field value in JSON form; undefined when Go would leave the field out (the zero Time). */
function valueOf(field: protobuf.Field, value: unknown): JsonValue | undefined {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageValue(resolved, value as DecodedMessage);
  if (field.type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  return scalar(value);
}

function messageValue(type: protobuf.Type, message: DecodedMessage): JsonValue | undefined {
  switch (type.fullName) {
    case TIME:
      return timeValue(message, false);
    case MICRO_TIME:
      return timeValue(message, true);
    case INT_OR_STRING:
      return Number(scalar(message.type) ?? 0) === 1 ? String(message.strVal ?? '') : Number(scalar(message.intVal) ?? 0);
    case QUANTITY:
      return String(message.string ?? '');
    case FIELDS_V1:
      return fieldsV1Value(message);
    case EXTRA_VALUE:
      // A named []string in Go (user extra): JSON writes the list, not a wrapper.
      return ((message.items as unknown[] | undefined) ?? []).map((v) => scalar(v) ?? '');
    default:
      return objectFromMessage(type, message);
  }
}

/**
 * metav1.Time writes nothing for the zero time, and its decoder keeps only whole seconds;
 * MicroTime keeps microseconds. Both serialize in UTC.
 */
function timeValue(message: DecodedMessage, micro: boolean): string | undefined {
  const hasSeconds = Object.prototype.hasOwnProperty.call(message, 'seconds');
  const hasNanos = Object.prototype.hasOwnProperty.call(message, 'nanos');
  if (!hasSeconds && !hasNanos) return undefined;
  const seconds = Number(scalar(message.seconds) ?? 0);
  const nanos = Number(scalar(message.nanos) ?? 0);
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${whole}Z`;
  return `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

function fieldsV1Value(message: DecodedMessage): JsonValue | undefined {
  const raw = message.Raw as Uint8Array | undefined;
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8')) as JsonValue;
  } catch {
    throw badRequest('managedFields: fieldsV1 is not valid JSON');
  }
}

/** Numbers, strings and booleans as JSON; int64 values arrive as Long objects. */
function scalar(value: unknown): JsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'object' && typeof (value as { toNumber?: unknown }).toNumber === 'function') {
    return (value as { toNumber(): number }).toNumber();
  }
  return String(value);
}

function isZero(value: JsonValue): boolean {
  return value === '' || value === 0 || value === false;
}

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
