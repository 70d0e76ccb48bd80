import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../../api/meta/errors.js';
import { mergeList } from '../../api/meta/patch-meta.js';
import { applyPatch, patchMediaType } from './apply-patch.js';
import { applyPatch as reexported } from './strategic-merge-patch.js';

const Schema = z.strictObject({
  metadata: z.strictObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
  items: mergeList(z.strictObject({ name: z.string(), v: z.number().optional() }), 'name').optional(),
});
const obj = { metadata: { name: 'x', labels: { a: '1' } }, items: [{ name: 'i', v: 1 }] };

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('applyPatch', () => {
  it('dispatches on the content type, ignoring parameters and case', () => {
    const body = { items: [{ name: 'j', v: 2 }] };
    expect(applyPatch('application/strategic-merge-patch+json', obj, body, Schema)).toEqual({
      metadata: obj.metadata,
      items: [{ name: 'j', v: 2 }, { name: 'i', v: 1 }],
    });
    expect(applyPatch('Application/Merge-Patch+JSON; charset=utf-8', obj, body, Schema)).toEqual({
      metadata: obj.metadata,
      items: [{ name: 'j', v: 2 }],
    });
    expect(applyPatch('application/json-patch+json', obj, [{ op: 'remove', path: '/metadata/labels/a' }], Schema)).toEqual({
      metadata: { name: 'x', labels: {} },
      items: obj.items,
    });
    expect(reexported).toBe(applyPatch);
    expect(patchMediaType(' application/json-patch+json ;charset=UTF-8')).toBe('application/json-patch+json');
  });

  it('answers 415 for server-side apply and unknown media types', () => {
    const apply = errorOf(() => applyPatch('application/apply-patch+yaml', obj, 'metadata: {}', Schema));
    expect(apply.code).toBe(415);
    expect(apply.reason).toBe('UnsupportedMediaType');
    expect(apply.message).toContain('server-side apply');
    expect(apply.message).toContain('not supported yet');
    const other = errorOf(() => applyPatch('application/json', obj, {}, Schema));
    expect(other.code).toBe(415);
    expect(other.message).toContain('application/strategic-merge-patch+json');
  });

  it('rejects a merge or strategic patch that is not an object with 400', () => {
    expect(errorOf(() => applyPatch('application/merge-patch+json', obj, [1], Schema)).code).toBe(400);
    expect(errorOf(() => applyPatch('application/strategic-merge-patch+json', obj, 'x', Schema)).code).toBe(400);
  });
});
