/**
 * The .proto subsets against tkube's zod schemas: every served kind has a message, and every
 * field a schema accepts has a protobuf field, so a protobuf body carries all of it.
 */
import protobuf from 'protobufjs';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { innerSchema } from '../../api/meta/patch-meta.js';
import { resources } from '../../api/registry.js';
import { apiVersionOf } from '../../api/resource.js';
import { Binding, Scale } from '../../api/types/subresources.js';
import { messageTypeFor } from './schema.js';

/** Fields left out on purpose: tkube's kubelet reports them as JSON, and their numbers are recent additions. */
const NOT_IN_PROTO = new Set([
  'NodeSystemInfo.swap',
  'NodeStatus.runtimeHandlers',
  'NodeStatus.features',
  'ContainerStatus.user',
  'ContainerStatus.volumeMounts',
  // tkube's ReplicaSet conditions share the Deployment condition schema; Kubernetes' have no lastUpdateTime.
  'ReplicaSetCondition.lastUpdateTime',
]);

/** Well-known messages whose JSON form is a scalar or a free-form document. */
const OPAQUE = new Set(['Time', 'MicroTime', 'IntOrString', 'Quantity', 'FieldsV1']);

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let inner = innerSchema(s); inner; inner = innerSchema(s)) s = inner;
  return s;
}

/** The JSON field names of a message, with (inline) fields merged in as Go's encoding/json does. */
function jsonFields(type: protobuf.Type): Map<string, protobuf.Field> {
  const out = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    if (field.options?.['(inline)'] === true && field.resolvedType instanceof protobuf.Type) {
      for (const [name, inner] of jsonFields(field.resolvedType)) out.set(name, inner);
    } else {
      out.set(field.name, field);
    }
  }
  return out;
}

function missingFields(type: protobuf.Type, schema: z.ZodType): string[] {
  const obj = unwrap(schema);
  const def = defOf(obj);
  if (def.type !== 'object') return [];
  const fields = jsonFields(type);
  const missing: string[] = [];
  for (const [key, child] of Object.entries(def.shape as Record<string, z.ZodType>)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    const field = fields.get(key);
    if (!field) {
      if (!NOT_IN_PROTO.has(`${type.name}.${key}`)) missing.push(`${type.name}.${key}`);
      continue;
    }
    const nested = field.resolvedType;
    if (!(nested instanceof protobuf.Type) || OPAQUE.has(nested.name)) continue;
    let element = unwrap(child);
    const d = defOf(element);
    if (d.type === 'array') element = unwrap(d.element as z.ZodType);
    else if (d.type === 'record') element = unwrap(d.valueType as z.ZodType);
    missing.push(...missingFields(nested, element));
  }
  return missing;
}

describe('proto/k8s against the API schemas', () => {
  const kinds: { apiVersion: string; kind: string; schema: z.ZodType }[] = [
    ...resources.map((def) => ({ apiVersion: apiVersionOf(def), kind: def.kind, schema: def.schema as z.ZodType })),
    { apiVersion: 'v1', kind: 'Binding', schema: Binding },
    { apiVersion: 'autoscaling/v1', kind: 'Scale', schema: Scale },
  ];

  it('has a message for every served kind', () => {
    const without = kinds.filter((k) => !messageTypeFor(k.apiVersion, k.kind)).map((k) => `${k.apiVersion} ${k.kind}`);
    expect(without).toEqual([]);
  });

  it('has a field for every field the schemas accept', () => {
    const missing = kinds.flatMap((k) => {
      const type = messageTypeFor(k.apiVersion, k.kind);
      return type ? missingFields(type, k.schema) : [];
    });
    expect([...new Set(missing)]).toEqual([]);
  });
});
