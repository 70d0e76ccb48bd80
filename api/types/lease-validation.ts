/** Semantic validation of coordination.k8s.io/v1 Leases. */
import type { StatusCause } from '../meta/errors.js';
import { fieldInvalid, validateNonNegative } from '../meta/validation.js';
import type { Lease } from './lease.js';

const MICRO_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function validateLease(lease: Lease): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = lease.spec;
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    causes.push(fieldInvalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  causes.push(...validateNonNegative('spec.leaseTransitions', spec.leaseTransitions));
  for (const key of ['acquireTime', 'renewTime'] as const) {
    const value = spec[key];
    if (value !== undefined && !MICRO_TIME_RE.test(value)) causes.push(fieldInvalid(`spec.${key}`, value, 'must be an RFC 3339 time'));
  }
  return causes;
}
