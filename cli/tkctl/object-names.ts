/** Namespaces and names of objects from files, checked against -n as kubectl does. */
import type { ResourceDef } from '../../api/resource.js';
import { CliError } from './io.js';
import type { Manifest } from './manifests.js';
import type { Session } from './session.js';

/** Sets metadata.namespace of a namespaced object (from -n or the context) and returns it. */
export function namespaceFor(obj: Manifest, def: ResourceDef, session: Session): string | undefined {
  if (!def.namespaced) {
    if (obj.metadata) delete obj.metadata.namespace;
    return undefined;
  }
  const meta = (obj.metadata ??= {});
  const own = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  if (own && session.namespaceFromFlag && own !== session.namespace) {
    throw new CliError(
      `the namespace from the provided object "${own}" does not match the namespace "${session.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  meta.namespace = own ?? session.namespace;
  return meta.namespace as string;
}

export function nameOf(obj: Manifest, source: string): string {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') {
    throw new CliError(`error when processing "${source}": resource name may not be empty`);
  }
  return name;
}
