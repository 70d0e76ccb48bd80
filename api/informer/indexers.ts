/** Index functions controllers commonly need. */
import type { KubeObject } from '../meta/object-meta.js';
import type { IndexFunc } from './store.js';

/** Pods by spec.nodeName (unscheduled pods are filed under ""). */
export const byNodeName: IndexFunc<KubeObject> = (obj) => {
  const spec = obj.spec as { nodeName?: unknown } | undefined;
  return [typeof spec?.nodeName === 'string' ? spec.nodeName : ''];
};

/** Objects by the uid of their controller owner (ownerReferences[].controller=true). */
export const byControllerUid: IndexFunc<KubeObject> = (obj) => {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? [ref.uid] : [];
};

/** Objects by the uid of every owner. */
export const byOwnerUid: IndexFunc<KubeObject> = (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
