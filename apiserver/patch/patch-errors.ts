/**
 * The errors patch application reports, with the codes the Kubernetes apiserver uses:
 * a malformed patch or directive is 400 BadRequest; a patch the server cannot apply to
 * this object is 422 Invalid with Kubernetes' fixed message, the reason kept as a cause.
 */
import { ApiError, badRequest } from '../../api/meta/errors.js';

/** The message Kubernetes puts on a 422 raised while applying a patch. */
export const PATCH_REJECTED_MESSAGE = 'the server rejected our request due to an error in our request';

export function patchRejected(reason: string): ApiError {
  return new ApiError(422, 'Invalid', PATCH_REJECTED_MESSAGE, {
    causes: [{ reason: 'FieldValueInvalid', message: reason }],
  });
}

export function badPatch(message: string): ApiError {
  return badRequest(message);
}

/** How Go's encoding/json names a JSON value's kind in unmarshal errors. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}
