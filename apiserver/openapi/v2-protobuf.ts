/**
 * The Swagger 2.0 document in the protobuf form client-go asks for
 * (application/com.github.proto-openapi.spec.v2@v1.0+protobuf): gnostic's
 * openapi.v2.Document message. Field numbers follow gnostic's OpenAPIv2.proto.
 * Free-form values (vendor extensions, defaults, enum values) travel as gnostic `Any`
 * messages holding YAML text; JSON is YAML, so we write JSON.
 */
import { ProtoWriter } from './protobuf-writer.js';

type Json = Record<string, unknown>;

/** What client-go puts in Accept. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/**
 * What we answer with: the same type spelled without '@', which is not a valid MIME
 * token and makes client-go's Content-Type parsing fail.
 */
export const OPENAPI_V2_PROTOBUF_RESPONSE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function isObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** gnostic Any { yaml = 2 } */
function anyValue(w: ProtoWriter, field: number, value: unknown): void {
  w.message(field, (a) => a.string(2, JSON.stringify(value)));
}

/** repeated NamedAny vendor_extension: every x-* key. NamedAny { name = 1; Any value = 2 } */
function vendorExtensions(w: ProtoWriter, field: number, obj: Json): void {
  for (const [key, value] of Object.entries(obj)) {
    if (!key.startsWith('x-')) continue;
    w.message(field, (n) => {
      n.string(1, key);
      anyValue(n, 2, value);
    });
  }
}

/** openapi.v2.Schema */
function schema(w: ProtoWriter, s: Json): void {
  w.string(1, s.$ref as string | undefined);
  w.string(2, s.format as string | undefined);
  w.string(3, s.title as string | undefined);
  w.string(4, s.description as string | undefined);
  if (s.default !== undefined) anyValue(w, 5, s.default);
  w.double(7, s.maximum as number | undefined);
  w.double(9, s.minimum as number | undefined);
  w.int64(11, s.maxLength as number | undefined);
  w.int64(12, s.minLength as number | undefined);
  w.string(13, s.pattern as string | undefined);
  w.int64(14, s.maxItems as number | undefined);
  w.int64(15, s.minItems as number | undefined);
  w.bool(16, s.uniqueItems as boolean | undefined);
  w.strings(19, s.required as string[] | undefined);
  for (const value of (s.enum as unknown[] | undefined) ?? []) anyValue(w, 20, value);
  if (s.additionalProperties !== undefined) {
    // AdditionalPropertiesItem { oneof: Schema schema = 1; bool boolean = 2 }
    const ap = s.additionalProperties;
    w.message(21, (a) => {
      if (isObject(ap)) a.message(1, (m) => schema(m, ap));
      else a.bool(2, ap === true);
    });
  }
  if (typeof s.type === 'string') w.message(22, (t) => t.strings(1, [s.type as string])); // TypeItem { repeated string value = 1 }
  if (isObject(s.items)) w.message(23, (i) => i.message(1, (m) => schema(m, s.items as Json))); // ItemsItem { repeated Schema schema = 1 }
  for (const sub of (s.allOf as Json[] | undefined) ?? []) w.message(24, (m) => schema(m, sub));
  if (isObject(s.properties)) {
    // Properties { repeated NamedSchema additional_properties = 1 }
    w.message(25, (p) => {
      for (const [name, prop] of Object.entries(s.properties as Record<string, Json>)) {
        p.message(1, (n) => n.string(1, name).message(2, (m) => schema(m, prop)));
      }
    });
  }
  w.bool(27, s.readOnly as boolean | undefined);
  vendorExtensions(w, 31, s);
}

/** openapi.v2.ParametersItem { Parameter parameter = 1 } */
function parameter(w: ProtoWriter, p: Json): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      // Parameter { BodyParameter body_parameter = 1 }
      param.message(1, (b) => {
        b.string(1, p.description as string | undefined);
        b.string(2, p.name as string);
        b.string(3, 'body');
        b.bool(4, p.required as boolean | undefined);
        if (isObject(p.schema)) b.message(5, (m) => schema(m, p.schema as Json));
        vendorExtensions(b, 6, p);
      });
      return;
    }
    // Parameter { NonBodyParameter non_body_parameter = 2 } with the query (3) or path (4) sub-schema.
    param.message(2, (nb) => {
      const isPath = p.in === 'path';
      nb.message(isPath ? 4 : 3, (q) => {
        q.bool(1, p.required as boolean | undefined);
        q.string(2, p.in as string);
        q.string(3, p.description as string | undefined);
        q.string(4, p.name as string);
        // Path and query sub-schemas number the remaining fields differently (query has allow_empty_value = 5).
        const off = isPath ? 0 : 1;
        q.string(5 + off, p.type as string | undefined);
        q.string(6 + off, p.format as string | undefined);
        q.bool(19 + off, p.uniqueItems as boolean | undefined);
        vendorExtensions(q, 22 + off, p);
      });
    });
  });
}

/** openapi.v2.Operation */
function operation(w: ProtoWriter, op: Json): void {
  w.strings(1, op.tags as string[] | undefined);
  w.string(2, op.summary as string | undefined);
  w.string(3, op.description as string | undefined);
  w.string(5, op.operationId as string | undefined);
  w.strings(6, op.produces as string[] | undefined);
  w.strings(7, op.consumes as string[] | undefined);
  for (const p of (op.parameters as Json[] | undefined) ?? []) w.message(8, (pi) => parameter(pi, p));
  // Responses { repeated NamedResponseValue response_code = 1 }
  w.message(9, (rs) => {
    for (const [code, resp] of Object.entries((op.responses as Record<string, Json> | undefined) ?? {})) {
      rs.message(1, (named) => {
        named.string(1, code);
        // ResponseValue { Response response = 1 }; Response { description = 1; SchemaItem schema = 2 }
        named.message(2, (rv) =>
          rv.message(1, (r) => {
            r.string(1, resp.description as string | undefined);
            if (isObject(resp.schema)) r.message(2, (si) => si.message(1, (m) => schema(m, resp.schema as Json)));
          }),
        );
      });
    }
  });
  w.strings(10, op.schemes as string[] | undefined);
  w.bool(11, op.deprecated as boolean | undefined);
  vendorExtensions(w, 13, op);
}

const PATH_ITEM_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** Encodes a Swagger 2.0 JSON document (as built by buildOpenApiV2) as gnostic protobuf. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const w = new ProtoWriter();
  w.string(1, doc.swagger as string);
  const info = (doc.info ?? {}) as Json;
  w.message(2, (i) => i.string(1, info.title as string).string(2, info.version as string));
  // Paths { repeated NamedPathItem path = 2 }
  w.message(8, (paths) => {
    for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
      paths.message(2, (named) => {
        named.string(1, path);
        named.message(2, (pi) => {
          for (const [method, field] of Object.entries(PATH_ITEM_FIELDS)) {
            if (isObject(item[method])) pi.message(field, (o) => operation(o, item[method] as Json));
          }
          for (const p of (item.parameters as Json[] | undefined) ?? []) pi.message(9, (x) => parameter(x, p));
          vendorExtensions(pi, 10, item);
        });
      });
    }
  });
  // Definitions { repeated NamedSchema additional_properties = 1 }
  w.message(9, (defs) => {
    for (const [name, s] of Object.entries((doc.definitions ?? {}) as Record<string, Json>)) {
      defs.message(1, (n) => n.string(1, name).message(2, (m) => schema(m, s)));
    }
  });
  vendorExtensions(w, 16, doc);
  return w.finish();
}
