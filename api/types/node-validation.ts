/** Semantic validation of Nodes: pod CIDRs, taints, and the fields that are set once. */
import type { StatusCause } from '../meta/errors.js';
import { fieldDuplicate, fieldForbidden, fieldInvalid, isQualifiedName, isValidLabelValue } from '../meta/validation.js';
import { validateCIDR, validateIP } from './field-validation.js';
import type { Node } from './node.js';

export function validateNode(node: Node): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = node.spec;
  if (spec.podCIDR) causes.push(...validateCIDR(spec.podCIDR, 'spec.podCIDR'));
  (spec.podCIDRs ?? []).forEach((c, i) => causes.push(...validateCIDR(c, `spec.podCIDRs[${i}]`)));
  if ((spec.podCIDRs ?? []).length > 2) causes.push(fieldInvalid('spec.podCIDRs', spec.podCIDRs, 'may specify no more than one CIDR for each IP family'));
  if (spec.podCIDR && spec.podCIDRs?.length && spec.podCIDRs[0] !== spec.podCIDR) {
    causes.push(fieldInvalid('spec.podCIDRs', spec.podCIDRs, 'first value must match `podCIDR`'));
  }
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const tf = `spec.taints[${i}]`;
    for (const e of isQualifiedName(t.key)) causes.push(fieldInvalid(`${tf}.key`, t.key, e));
    if (t.value) for (const e of isValidLabelValue(t.value)) causes.push(fieldInvalid(`${tf}.value`, t.value, e));
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) causes.push(fieldDuplicate(tf, `${t.key}:${t.effect}`));
    seen.add(key);
  });
  (node.status?.addresses ?? []).forEach((a, i) => {
    if (a.type === 'InternalIP' || a.type === 'ExternalIP') causes.push(...validateIP(a.address, `status.addresses[${i}].address`));
  });
  return causes;
}

/** podCIDR(s) and providerID may go from empty to a value, never change after. */
export function validateNodeUpdate(node: Node, old: Node): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old.spec.podCIDR && node.spec.podCIDR !== old.spec.podCIDR) {
    causes.push(fieldForbidden('spec.podCIDR', 'node updates may not change podCIDR except from "" to valid'));
  }
  const oldCIDRs = old.spec.podCIDRs ?? [];
  const cidrs = node.spec.podCIDRs ?? [];
  if (oldCIDRs.length && (cidrs.length !== oldCIDRs.length || cidrs.some((c, i) => c !== oldCIDRs[i]))) {
    causes.push(fieldForbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec.providerID && node.spec.providerID !== old.spec.providerID) {
    causes.push(fieldForbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return causes;
}
