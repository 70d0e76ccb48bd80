/** Semantic validation of Namespaces: finalizer names. */
import type { StatusCause } from '../meta/errors.js';
import { fieldInvalid, isQualifiedName } from '../meta/validation.js';
import type { Namespace } from './namespace.js';

export function validateNamespace(ns: Namespace): StatusCause[] {
  return (ns.spec?.finalizers ?? []).flatMap((f, i) => isQualifiedName(f).map((e) => fieldInvalid(`spec.finalizers[${i}]`, f, e)));
}
