import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ObjectMeta } from '../../api/meta/object-meta.js';
import { mergeList } from '../../api/meta/patch-meta.js';
import { metaV1Names, namesFromExports } from './schema-names.js';
import { OpenApiConverter } from './zod-to-openapi.js';

const Port = z.strictObject({ containerPort: z.number().int(), protocol: z.enum(['TCP', 'UDP']).default('TCP') }).describe('A port.');

describe('OpenApiConverter', () => {
  it('turns named schemas into $refs and wraps described refs in allOf', () => {
    const Obj = z.strictObject({
      metadata: ObjectMeta.default({}).describe('Standard metadata.'),
      plain: ObjectMeta.optional(),
    });
    const c = new OpenApiConverter(metaV1Names());
    const out = c.body(Obj) as { properties: Record<string, unknown> };
    expect(out.properties.metadata).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
      default: {},
      description: 'Standard metadata.',
    });
    expect(out.properties.plain).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
    const meta = c.components['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] as { properties: Record<string, Record<string, unknown>> };
    expect(meta.properties.name).toMatchObject({ type: 'string', description: expect.stringContaining('Name') });
    expect(c.components['io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference']).toBeDefined();
    expect(meta.properties.ownerReferences).toMatchObject({
      type: 'array',
      nullable: true,
      items: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference' },
      'x-kubernetes-patch-merge-key': 'uid',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
    });
  });

  it('maps scalars, enums, maps and required fields', () => {
    const S = z.strictObject({
      count: z.number().int(),
      small: z.int32().optional(),
      ratio: z.number().optional(),
      on: z.boolean().default(false),
      mode: z.enum(['A', 'B']).optional(),
      only: z.literal('x').optional(),
      labels: z.record(z.string(), z.string()).optional(),
      anything: z.unknown().optional(),
    });
    const out = new OpenApiConverter(new Map()).body(S);
    expect(out).toEqual({
      type: 'object',
      required: ['count'],
      properties: {
        count: { type: 'integer', format: 'int64' },
        small: { type: 'integer', format: 'int32' },
        ratio: { type: 'number', format: 'double' },
        on: { type: 'boolean', default: false },
        mode: { type: 'string', enum: ['A', 'B'] },
        only: { type: 'string', enum: ['x'] },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        anything: {},
      },
    });
  });

  it('copies list patch metadata and item descriptions', () => {
    const S = z.strictObject({ ports: mergeList(Port, 'containerPort').optional().describe('Ports to expose.') });
    const out = new OpenApiConverter(new Map()).body(S) as { properties: { ports: Record<string, unknown> } };
    expect(out.properties.ports).toMatchObject({
      type: 'array',
      description: 'Ports to expose.',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'containerPort',
      items: { type: 'object', description: 'A port.', required: ['containerPort'] },
    });
  });

  it('marks int-or-string unions like Kubernetes structural schemas', () => {
    const out = new OpenApiConverter(new Map()).body(z.union([z.number().int(), z.string()]));
    expect(out).toEqual({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(new OpenApiConverter(new Map()).body(z.union([z.literal('a'), z.literal('b')]))).toEqual({ type: 'string', enum: ['a', 'b'] });
  });

  it('names exported object schemas after their export, and stops on unnamed recursion', () => {
    const names = namesFromExports({ Port, notASchema: 3, lower: Port, Name: z.string() }, 'io.k8s.api.core.v1');
    expect([...names.values()]).toEqual(['io.k8s.api.core.v1.Port']);
    type Tree = { children?: Tree[] };
    const Tree: z.ZodType<Tree> = z.lazy(() => z.strictObject({ children: z.array(Tree).optional() }));
    const out = new OpenApiConverter(new Map()).body(Tree);
    expect(out).toMatchObject({ type: 'object' });
  });

  it('uses an id from zod metadata as the component name', () => {
    const Named = z.strictObject({ a: z.string() }).meta({ id: 'io.k8s.api.core.v1.Named' });
    const c = new OpenApiConverter(new Map());
    expect(c.convert(Named)).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.Named' });
    expect(c.components['io.k8s.api.core.v1.Named']).toMatchObject({ type: 'object', required: ['a'] });
  });
});

describe('described copies of named schemas', () => {
  it('still reference the named component, with their own description beside it', () => {
    const Sel = z.strictObject({ matchLabels: z.record(z.string(), z.string()).optional() });
    const names = new Map<z.ZodType, string>([[Sel, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']]);
    const S = z.strictObject({ selector: Sel.describe('Which pods.') });
    const c = new OpenApiConverter(names);
    expect((c.body(S) as { properties: Record<string, unknown> }).properties.selector).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' }],
      description: 'Which pods.',
    });
  });
});
