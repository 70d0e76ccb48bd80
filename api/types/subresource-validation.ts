/** Validation of subresource bodies: the pods/binding Binding and the autoscaling/v1 Scale. */
import type { StatusCause } from '../meta/errors.js';
import { fieldInvalid, fieldNotSupported, fieldRequired, isDNS1123Subdomain, validateNonNegative } from '../meta/validation.js';
import type { Binding, Scale } from './subresources.js';

export function validateBinding(binding: Binding): StatusCause[] {
  const causes: StatusCause[] = [];
  const target = binding.target;
  if (target.kind && target.kind !== 'Node') causes.push(fieldNotSupported('target.kind', target.kind, ['Node', '']));
  if (!target.name) causes.push(fieldRequired('target.name'));
  else for (const e of isDNS1123Subdomain(target.name)) causes.push(fieldInvalid('target.name', target.name, e));
  return causes;
}

export function validateScale(scale: Scale): StatusCause[] {
  return validateNonNegative('spec.replicas', scale.spec.replicas);
}
