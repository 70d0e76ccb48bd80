import { describe, expect, it } from 'vitest';
import { toV2Schema } from './v2.js';

describe('toV2Schema', () => {
  it('rewrites refs, unwraps described refs and drops what Swagger 2.0 lacks', () => {
    expect(
      toV2Schema({
        type: 'object',
        nullable: true,
        properties: {
          meta: { allOf: [{ $ref: '#/components/schemas/M' }], description: 'd', default: {} },
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          list: { type: 'array', items: { $ref: '#/components/schemas/I' } },
          map: { type: 'object', additionalProperties: { $ref: '#/components/schemas/Q' } },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        meta: { $ref: '#/definitions/M', description: 'd', default: {} },
        port: { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true },
        list: { type: 'array', items: { $ref: '#/definitions/I' } },
        map: { type: 'object', additionalProperties: { $ref: '#/definitions/Q' } },
      },
    });
  });

  it('treats property names as names, not keywords', () => {
    const s = { type: 'object', properties: { nullable: { type: 'boolean' }, enum: { type: 'string' } }, enum: [{ nullable: 1 }] };
    expect(toV2Schema(s)).toEqual(s);
  });
});
