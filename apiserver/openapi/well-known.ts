/**
 * Schemas the OpenAPI documents need beyond the resource types: autoscaling/v1 Scale
 * (the type of every scale subresource), meta/v1 Status (delete and error responses),
 * DeleteOptions and Patch (request bodies). They only document the wire format here;
 * the apiserver builds these objects itself.
 */
import { z } from 'zod';
import { ObjectMeta } from '../../api/meta/object-meta.js';
import { META_V1, type SchemaNames } from './schema-names.js';
import type { OpenApiSchema } from './zod-to-openapi.js';

const apiVersionField = z.string().optional().describe('The versioned schema of this representation of an object.');
const kindField = z.string().optional().describe('The REST resource this object represents.');

export const ScaleSpec = z
  .strictObject({ replicas: z.int32().optional().describe('The desired number of instances for the scaled object.') })
  .describe('The attributes of a scale subresource.');

export const ScaleStatus = z
  .strictObject({
    replicas: z.int32().describe('The actual number of observed instances of the scaled object.'),
    selector: z.string().optional().describe('Label query over pods that should match the replicas count, in the string form of a label selector.'),
  })
  .describe('The current status of a scale subresource.');

export const Scale = z
  .strictObject({
    apiVersion: apiVersionField,
    kind: kindField,
    metadata: ObjectMeta.optional().describe('Standard object metadata.'),
    spec: ScaleSpec.optional().describe('The desired state of the scaled object.'),
    status: ScaleStatus.optional().describe('The current status of the scaled object; read-only.'),
  })
  .describe('A scaling request for a resource.');

export const StatusCause = z
  .strictObject({
    reason: z.string().optional().describe('A machine-readable description of the cause of the error.'),
    message: z.string().optional().describe('A human-readable description of the cause of the error.'),
    field: z.string().optional().describe('The field of the resource that caused this error, e.g. "spec.replicas".'),
  })
  .describe('More information about a failure, pointing at a field where possible.');

export const StatusDetails = z
  .strictObject({
    name: z.string().optional(),
    group: z.string().optional(),
    kind: z.string().optional(),
    uid: z.string().optional(),
    causes: z.array(StatusCause).optional(),
    retryAfterSeconds: z.int32().optional(),
  })
  .describe('Extended data associated with the reason of a Status.');

export const Status = z
  .strictObject({
    apiVersion: apiVersionField,
    kind: kindField,
    metadata: z
      .strictObject({ resourceVersion: z.string().optional(), continue: z.string().optional() })
      .optional()
      .describe('Standard list metadata.'),
    status: z.string().optional().describe('"Success" or "Failure".'),
    message: z.string().optional().describe('A human-readable description of the status of this operation.'),
    reason: z.string().optional().describe('A machine-readable description of why this operation is in the "Failure" status.'),
    details: StatusDetails.optional().describe('Extended data associated with the reason.'),
    code: z.int32().optional().describe('Suggested HTTP return code for this status.'),
  })
  .describe('The return value for calls that do not return other objects.');

export const Preconditions = z
  .strictObject({ resourceVersion: z.string().optional(), uid: z.string().optional() })
  .describe('Must be fulfilled before an operation (update, delete, ...) is carried out.');

export const DeleteOptions = z
  .strictObject({
    apiVersion: apiVersionField,
    kind: kindField,
    dryRun: z.array(z.string()).optional().describe('When present, indicates that modifications should not be persisted.'),
    gracePeriodSeconds: z.number().int().optional().describe('Seconds before the object should be deleted.'),
    orphanDependents: z.boolean().optional().describe('Deprecated: use propagationPolicy.'),
    preconditions: Preconditions.optional(),
    propagationPolicy: z.string().optional().describe('Whether and how garbage collection is performed: Orphan, Background or Foreground.'),
  })
  .describe('May be provided when deleting an API object.');

/** Names of the well-known schemas, to add to the resource names. */
export function wellKnownNames(): SchemaNames {
  return new Map<z.ZodType, string>([
    [Scale, 'io.k8s.api.autoscaling.v1.Scale'],
    [ScaleSpec, 'io.k8s.api.autoscaling.v1.ScaleSpec'],
    [ScaleStatus, 'io.k8s.api.autoscaling.v1.ScaleStatus'],
    [Status, `${META_V1}.Status`],
    [StatusDetails, `${META_V1}.StatusDetails`],
    [StatusCause, `${META_V1}.StatusCause`],
    [DeleteOptions, `${META_V1}.DeleteOptions`],
    [Preconditions, `${META_V1}.Preconditions`],
  ]);
}

/** Patch bodies have no fixed schema; Kubernetes documents them as an object. */
export const PATCH_COMPONENT = `${META_V1}.Patch`;
export const patchSchema: OpenApiSchema = {
  description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  type: 'object',
};
