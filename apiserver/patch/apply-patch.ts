/**
 * PATCH dispatch by Content-Type, as the Kubernetes apiserver accepts it:
 * json-patch, merge-patch and strategic-merge-patch. Server-side apply
 * (application/apply-patch+yaml) is not implemented yet and answers 415, like any
 * other media type.
 */
import type { z } from 'zod';
import { ApiError } from '../../api/meta/errors.js';
import { applyJsonPatch } from './json-patch.js';
import { isJsonObject, mergePatch } from './merge-patch.js';
import { badPatch, jsonKind } from './patch-errors.js';
import { strategicMergePatch } from './strategic-merge-patch.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** The patch media types served (for Accept-Patch headers and error messages). */
export const SUPPORTED_PATCH_TYPES: readonly string[] = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH];

/** "application/merge-patch+json; charset=utf-8" → "application/merge-patch+json". */
export function patchMediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function unsupportedPatchType(mediaType: string, why: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `${why} - accepted media types include: ${SUPPORTED_PATCH_TYPES.join(', ')}`,
  );
}

/**
 * Applies `patchBody` (already parsed from JSON) to `original` according to the
 * request's Content-Type and returns the patched object; `original` is not modified.
 */
export function applyPatch(contentType: string, original: unknown, patchBody: unknown, schema: z.ZodType): unknown {
  const mediaType = patchMediaType(contentType);
  switch (mediaType) {
    case JSON_PATCH:
      return applyJsonPatch(original, patchBody);
    case MERGE_PATCH:
      if (!isJsonObject(patchBody)) {
        throw badPatch(`json: cannot unmarshal ${jsonKind(patchBody)} into Go value of type map[string]interface {}`);
      }
      return mergePatch(original, patchBody);
    case STRATEGIC_MERGE_PATCH:
      return strategicMergePatch(original, patchBody, schema);
    case APPLY_PATCH:
      throw unsupportedPatchType(mediaType, 'server-side apply (application/apply-patch+yaml) is not supported yet');
    default:
      throw unsupportedPatchType(mediaType, `the body of the request was in an unknown format (${JSON.stringify(mediaType)})`);
  }
}
