/**
 * application/json-patch+json (RFC 6902), applied with fast-json-patch.
 *
 * Errors follow the Kubernetes apiserver: a body that is not a list of operations is
 * 400 BadRequest; more than 10000 operations is 413; an operation that cannot be applied
 * (a failed `test`, a missing path, an unknown `op`) is 422 Invalid with the fixed message
 * "the server rejected our request due to an error in our request". Kubernetes drops the
 * reason; we keep it as a cause, which clients that only print the message ignore.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError, badRequest, tooLarge } from '../../api/meta/errors.js';
import { jsonKind, patchRejected } from './patch-errors.js';

export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Checks the shape of the document (a list of objects); semantic checks happen while applying. */
function asOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch (a JSON patch is an array of operations)`);
  }
  patch.forEach((op, i) => {
    if (op === null || typeof op !== 'object' || Array.isArray(op)) {
      throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation (operation ${i})`);
    }
  });
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return patch as Operation[];
}

interface FailedOperation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
}

/** A short reason in the words of the Go json-patch library (never fast-json-patch's dump of the whole document). */
function reasonOf(err: unknown): string {
  if (err instanceof jsonpatch.JsonPatchError) {
    const operation = (err.operation ?? {}) as FailedOperation;
    const op = String(operation.op);
    const path = JSON.stringify(operation.path);
    switch (err.name) {
      case 'TEST_OPERATION_FAILED':
        return `testing value ${String(operation.path)} failed: test failed`;
      case 'OPERATION_PATH_UNRESOLVABLE':
      case 'OPERATION_PATH_CANNOT_ADD':
        return `${op} operation does not apply: doc is missing path: ${path}`;
      case 'OPERATION_FROM_UNRESOLVABLE':
        return `${op} operation does not apply: doc is missing from path: ${JSON.stringify(operation.from)}`;
      case 'OPERATION_OP_INVALID':
        return `Unexpected kind: ${op}`;
      case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      case 'OPERATION_VALUE_OUT_OF_BOUNDS':
        return `${op} operation does not apply: invalid array index in path: ${path}`;
      default:
        return `operation ${err.index ?? '?'}: ${err.message.split('\n')[0]}`;
    }
  }
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/** Applies an RFC 6902 patch to a copy of `original`; `original` and `patch` are left untouched. */
export function applyJsonPatch(original: unknown, patch: unknown): unknown {
  const operations = structuredClone(asOperations(patch));
  try {
    return jsonpatch.applyPatch(structuredClone(original), operations, true, true).newDocument;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw patchRejected(reasonOf(err));
  }
}
