import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/meta/errors.js';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';

const pod = { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('applyJsonPatch', () => {
  it('applies add, remove, replace, move, copy and test operations', () => {
    const out = applyJsonPatch(pod, [
      { op: 'test', path: '/metadata/name', value: 'p' },
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'replace', path: '/spec/containers/0/name', value: 'c' },
      { op: 'remove', path: '/spec/containers/1' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/moved' },
      { op: 'add', path: '/spec/containers/-', value: { name: 'z' } },
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'x' } },
    ]);
    expect(out).toEqual({
      metadata: { name: 'p', labels: { app: 'web', copy: 'web', moved: 'fe' }, annotations: { 'a~b/c': 'x' } },
      spec: { containers: [{ name: 'c' }, { name: 'z' }] },
    });
    expect(pod.spec.containers).toHaveLength(2); // the original is untouched
  });

  it('escapes ~ and / in paths as RFC 6901 says', () => {
    const out = applyJsonPatch({ metadata: { annotations: { 'a/b': '1', 'c~d': '2' } } }, [
      { op: 'remove', path: '/metadata/annotations/a~1b' },
      { op: 'replace', path: '/metadata/annotations/c~0d', value: '3' },
    ]);
    expect(out).toEqual({ metadata: { annotations: { 'c~d': '3' } } });
  });

  it('a failed test is 422 Invalid with the Kubernetes message, and nothing is applied', () => {
    const err = errorOf(() =>
      applyJsonPatch(pod, [
        { op: 'replace', path: '/metadata/name', value: 'q' },
        { op: 'test', path: '/metadata/labels/app', value: 'db' },
      ]),
    );
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe('the server rejected our request due to an error in our request');
    expect(err.details?.causes?.[0]?.message).toBe('testing value /metadata/labels/app failed: test failed');
    expect(pod.metadata.name).toBe('p');
  });

  it.each([
    [{ op: 'remove', path: '/metadata/missing' }, 'remove operation does not apply: doc is missing path: "/metadata/missing"'],
    [{ op: 'replace', path: '/status/phase', value: 'x' }, 'replace operation does not apply: doc is missing path: "/status/phase"'],
    [{ op: 'add', path: '/status/phase', value: 'x' }, 'add operation does not apply: doc is missing path: "/status/phase"'],
    [{ op: 'move', from: '/nope', path: '/x' }, 'move operation does not apply: doc is missing from path: "/nope"'],
    [{ op: 'frobnicate', path: '/x' }, 'Unexpected kind: frobnicate'],
    [{ op: 'add', path: '/spec/containers/7', value: {} }, 'add operation does not apply: invalid array index in path: "/spec/containers/7"'],
  ])('an operation that cannot apply is 422: %j', (op, reason) => {
    const err = errorOf(() => applyJsonPatch(pod, [op]));
    expect(err.code).toBe(422);
    expect(err.details?.causes?.[0]?.message).toBe(reason);
  });

  it('a document that is not a list of operations is 400', () => {
    expect(errorOf(() => applyJsonPatch(pod, { op: 'add' })).code).toBe(400);
    expect(errorOf(() => applyJsonPatch(pod, ['add'])).code).toBe(400);
    expect(errorOf(() => applyJsonPatch(pod, null)).message).toContain('cannot unmarshal null');
  });

  it('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }));
    const err = errorOf(() => applyJsonPatch(pod, ops));
    expect(err.code).toBe(413);
    expect(err.message).toBe('The allowed maximum operations in a JSON patch is 10000, got 10001');
  });

  it('refuses to touch __proto__', () => {
    const err = errorOf(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }]));
    expect(err.code).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
