/**
 * Converts zod schemas into OpenAPI 3.0 schema objects shaped like Kubernetes' own:
 * named schemas become components referenced by $ref, a described reference is
 * wrapped as `allOf: [{$ref}]` beside its description (what `kubectl explain` walks),
 * integers carry int32/int64 formats, int-or-string unions carry
 * x-kubernetes-int-or-string, and the x-kubernetes-* list/map metadata attached with
 * api/meta/patch-meta.ts is copied through.
 *
 * We walk the zod definitions ourselves rather than call z.toJSONSchema because the
 * output must use Kubernetes component names and its allOf-wrapping of described refs,
 * and keep every description and x-kubernetes-* key, which a separate metadata
 * registry for z.toJSONSchema's $defs extraction would drop.
 */
import { z } from 'zod';
import { metadataId, type SchemaNames } from './schema-names.js';

export type OpenApiSchema = Record<string, unknown>;

/** The zod internals we read (zod v4 keeps a schema's definition in `_zod.def`). */
interface ZodDef {
  type: string;
  [key: string]: unknown;
}
interface ZodInternals {
  _zod: { def: ZodDef; optin?: 'optional' | 'defaulted' };
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as ZodInternals)._zod.def;
}

/** A field may be left out of input when it is optional or has a default. */
export function isOptionalInput(schema: z.ZodType): boolean {
  return (schema as unknown as ZodInternals)._zod.optin !== undefined;
}

const REF_PREFIX = '#/components/schemas/';
const INT_FORMATS = new Set(['safeint', 'int32', 'uint32', 'int64', 'uint64']);

function numberFormat(def: ZodDef): string | undefined {
  if (typeof def.format === 'string') return def.format;
  for (const check of (def.checks as { _zod: { def: { format?: string } } }[] | undefined) ?? []) {
    const format = check._zod?.def?.format;
    if (format) return format;
  }
  return undefined;
}

function stringFormat(def: ZodDef): string | undefined {
  const format = numberFormat(def);
  return format === 'datetime' ? 'date-time' : format === 'date' || format === 'byte' ? format : undefined;
}

function isJsonValue(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (typeof value !== 'object') return false;
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/** Description and x-kubernetes-* keys from a schema's zod metadata. */
function annotationsOf(schema: z.ZodType): OpenApiSchema {
  const meta = z.globalRegistry.get(schema) as Record<string, unknown> | undefined;
  const out: OpenApiSchema = {};
  if (!meta) return out;
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'description' || key.startsWith('x-kubernetes-') || key === 'deprecated') out[key] = value;
  }
  return out;
}

/** Adds annotations to a schema; a bare $ref cannot carry siblings in OpenAPI 3.0, so wrap it. */
function annotate(schema: OpenApiSchema, extra: OpenApiSchema): OpenApiSchema {
  if (Object.keys(extra).length === 0) return schema;
  if (typeof schema.$ref === 'string') return { allOf: [schema], ...extra };
  return { ...schema, ...extra };
}

export class OpenApiConverter {
  /** Components reached so far, by name. */
  readonly components: Record<string, OpenApiSchema> = {};
  private readonly inProgress = new Set<z.ZodType>();

  /** `.describe()` and `.meta()` return a clone sharing the definition: find the named original by it. */
  private readonly namedByDef = new Map<ZodDef, z.ZodType>();

  constructor(
    private readonly names: SchemaNames,
    /** Extra keys for named components (x-kubernetes-group-version-kind). */
    private readonly componentExtensions: Map<string, OpenApiSchema> = new Map(),
  ) {
    for (const schema of names.keys()) if (!this.namedByDef.has(defOf(schema))) this.namedByDef.set(defOf(schema), schema);
  }

  nameOf(schema: z.ZodType): string | undefined {
    return this.names.get(schema) ?? metadataId(schema);
  }

  /** A $ref to the named component for `schema`, generating the component on first use. */
  refTo(schema: z.ZodType, name = this.nameOf(schema)): OpenApiSchema {
    if (!name) throw new Error('refTo needs a named schema');
    if (!(name in this.components)) {
      this.components[name] = {}; // reserve first: recursive types then find the name
      this.components[name] = { ...this.body(schema), ...(this.componentExtensions.get(name) ?? {}) };
    }
    return { $ref: REF_PREFIX + name };
  }

  /** The schema for a use of `schema`: a $ref when it is named, its inline body otherwise. */
  convert(schema: z.ZodType): OpenApiSchema {
    const name = this.nameOf(schema);
    if (name) return this.refTo(schema, name);
    const original = this.namedByDef.get(defOf(schema));
    if (original) return annotate(this.refTo(original), annotationsOf(schema));
    return this.body(schema);
  }

  /** The inline body of `schema`, never a $ref to itself. */
  body(schema: z.ZodType): OpenApiSchema {
    if (this.inProgress.has(schema)) return {}; // unnamed recursion: stop rather than loop
    this.inProgress.add(schema);
    try {
      return annotate(this.bodyOf(schema, defOf(schema)), annotationsOf(schema));
    } finally {
      this.inProgress.delete(schema);
    }
  }

  private bodyOf(schema: z.ZodType, def: ZodDef): OpenApiSchema {
    switch (def.type) {
      case 'optional':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        return this.convert(def.innerType as z.ZodType);
      case 'nullable':
        return annotate(this.convert(def.innerType as z.ZodType), { nullable: true });
      case 'default':
      case 'prefault': {
        const inner = this.convert(def.innerType as z.ZodType);
        const value = def.defaultValue;
        return isJsonValue(value) ? annotate(inner, { default: value }) : inner;
      }
      case 'pipe':
        return this.convert(def.in as z.ZodType); // what clients send is the pipe's input
      case 'lazy':
        return this.convert((def.getter as () => z.ZodType)());
      case 'string': {
        const format = stringFormat(def);
        return format ? { type: 'string', format } : { type: 'string' };
      }
      case 'number': {
        const format = numberFormat(def);
        if (format && INT_FORMATS.has(format)) return { type: 'integer', format: format === 'int32' || format === 'uint32' ? 'int32' : 'int64' };
        return { type: 'number', format: 'double' };
      }
      case 'bigint':
        return { type: 'integer', format: 'int64' };
      case 'int':
        return { type: 'integer', format: 'int64' };
      case 'boolean':
        return { type: 'boolean' };
      case 'date':
        return { type: 'string', format: 'date-time' };
      case 'enum':
        return this.enumOf(Object.values(def.entries as Record<string, string | number>));
      case 'literal':
        return this.enumOf(def.values as (string | number | boolean | null)[]);
      case 'object':
        return this.objectOf(def);
      case 'array':
        return { type: 'array', items: this.convert(def.element as z.ZodType) };
      case 'tuple':
        return { type: 'array', items: {} };
      case 'set':
        return { type: 'array', items: this.convert(def.valueType as z.ZodType) };
      case 'record':
      case 'map':
        return { type: 'object', additionalProperties: this.convert(def.valueType as z.ZodType) };
      case 'union':
        return this.unionOf(def.options as z.ZodType[]);
      case 'intersection':
        return { allOf: [this.convert(def.left as z.ZodType), this.convert(def.right as z.ZodType)] };
      default:
        // unknown, any, custom, transform, ...: any JSON value.
        return {};
    }
  }

  private enumOf(values: readonly unknown[]): OpenApiSchema {
    const present = values.filter((v) => v !== undefined && v !== null);
    const kinds = new Set(present.map((v) => typeof v));
    const type = kinds.size === 1 ? { string: 'string', number: 'number', boolean: 'boolean' }[[...kinds][0] as string] : undefined;
    const out: OpenApiSchema = type ? { type } : {};
    if (type === 'number' && present.every((v) => Number.isInteger(v))) out.type = 'integer';
    out.enum = present;
    if (present.length !== values.length) out.nullable = true;
    return out;
  }

  private objectOf(def: ZodDef): OpenApiSchema {
    const shape = def.shape as Record<string, z.ZodType>;
    const properties: Record<string, OpenApiSchema> = {};
    const required: string[] = [];
    for (const [key, field] of Object.entries(shape)) {
      properties[key] = this.convert(field);
      if (!isOptionalInput(field)) required.push(key);
    }
    const out: OpenApiSchema = { type: 'object' };
    if (required.length) out.required = required;
    out.properties = properties;
    const catchall = def.catchall as z.ZodType | undefined;
    if (catchall && defOf(catchall).type !== 'never') out.additionalProperties = this.convert(catchall);
    return out;
  }

  private unionOf(options: z.ZodType[]): OpenApiSchema {
    const converted = options.map((o) => this.convert(o));
    const types = new Set(converted.map((c) => c.type));
    // int-or-string / number-or-string (IntOrString, Quantity): Kubernetes' structural form.
    if (converted.length === 2 && types.has('string') && (types.has('integer') || types.has('number'))) {
      return { 'x-kubernetes-int-or-string': true, anyOf: converted.map((c) => ({ type: c.type })) };
    }
    // Unions of string enums/literals fold into one enum.
    if (converted.every((c) => c.type === 'string' && Array.isArray(c.enum))) {
      return { type: 'string', enum: converted.flatMap((c) => c.enum as unknown[]) };
    }
    return { anyOf: converted };
  }
}
