/**
 * Kubernetes-style component names for zod schemas ("io.k8s.api.apps.v1.Deployment",
 * "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"). A schema gets a name, and so
 * becomes a shared component referenced with $ref, when: it is a ResourceDef's object
 * schema, it is one of the meta/v1 schemas, it carries an `id` in its zod metadata,
 * or it is an exported schema of a types module passed to namesFromExports.
 * Schemas without a name are inlined where they are used.
 */
import { z } from 'zod';
import { ListMeta, ManagedFieldsEntry, ObjectMeta, OwnerReference } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';

export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export type SchemaNames = Map<z.ZodType, string>;

/** The Go package Kubernetes uses for a group: '' -> core, 'coordination.k8s.io' -> coordination. */
export function packageOfGroup(group: string): string {
  return group === '' ? 'core' : group.split('.')[0]!;
}

/** "io.k8s.api.<package>.<version>.<Kind>" */
export function componentName(group: string, version: string, kind: string): string {
  return `io.k8s.api.${packageOfGroup(group)}.${version}.${kind}`;
}

export function metaV1Names(): SchemaNames {
  return new Map<z.ZodType, string>([
    [ObjectMeta, `${META_V1}.ObjectMeta`],
    [OwnerReference, `${META_V1}.OwnerReference`],
    [ManagedFieldsEntry, `${META_V1}.ManagedFieldsEntry`],
    [ListMeta, `${META_V1}.ListMeta`],
  ]);
}

function isZodSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

/** Object-like schemas worth a component; scalars (strings, enums) stay inline like in Kubernetes. */
function isComponentWorthy(schema: z.ZodType): boolean {
  const type = (schema as unknown as { _zod: { def: { type: string } } })._zod.def.type;
  return type === 'object' || type === 'union' || type === 'intersection';
}

/**
 * Names the exported object schemas of a types module after their export names:
 * `namesFromExports(await import('../../api/types/container.js'), 'io.k8s.api.core.v1')`
 * names `Container` "io.k8s.api.core.v1.Container". Already named schemas keep their name.
 */
export function namesFromExports(moduleExports: Record<string, unknown>, prefix: string, into: SchemaNames = new Map()): SchemaNames {
  for (const [exportName, value] of Object.entries(moduleExports)) {
    if (!isZodSchema(value) || !/^[A-Z]/.test(exportName) || !isComponentWorthy(value)) continue;
    if (!into.has(value)) into.set(value, `${prefix}.${exportName}`);
  }
  return into;
}

/** Every name for a resource list: meta/v1, each ResourceDef's schema, and the extra names given. */
export function namesFor(resources: readonly ResourceDef[], extra?: SchemaNames): SchemaNames {
  const names = metaV1Names();
  for (const [schema, name] of extra ?? []) names.set(schema, name);
  for (const def of resources) names.set(def.schema, componentName(def.group, def.version, def.kind));
  return names;
}

/** A name from the schema's own zod metadata ({ id: ... }), if any. */
export function metadataId(schema: z.ZodType): string | undefined {
  const id = (z.globalRegistry.get(schema) as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id ? id : undefined;
}
