/**
 * Reads of the objects tokens name (ServiceAccounts, Pods, Secrets, Nodes) from the
 * apiserver's own stores: the watch cache first, etcd when the cache has not seen the
 * object yet (a ServiceAccount created a moment ago must not fail a token request).
 */
import { isApiError } from '../../../api/meta/errors.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { serviceAccounts } from '../../../api/registry.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { ServiceAccount } from '../../../api/types/config.js';
import type { ResourceStore } from '../../registry/resource-store.js';

/** What the security modules need of the apiserver (S2's PolicySource has the same shape). */
export interface StoreSource {
  storeFor(def: ResourceDef): ResourceStore;
}

export async function lookupObject<T extends KubeObject>(
  src: StoreSource,
  def: ResourceDef<T>,
  namespace: string | undefined,
  name: string,
  expectedUid?: string,
): Promise<T | undefined> {
  if (!name) return undefined;
  const store = src.storeFor(def as unknown as ResourceDef);
  const cached = store.cache.synced ? store.cache.get(store.key(namespace, name)) : undefined;
  // A cached copy of another uid may be stale (deleted and recreated): ask etcd then.
  if (cached && (expectedUid === undefined || cached.metadata.uid === expectedUid)) return cached as T;
  try {
    return (await store.get(namespace, name)) as T;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** ServiceAccounts by namespace and name, for the ServiceAccount admission plugin. */
export function serviceAccountLookup(src: StoreSource): (namespace: string, name: string) => Promise<ServiceAccount | undefined> {
  return (namespace, name) => lookupObject(src, serviceAccounts, namespace, name);
}
