/**
 * Mutating admission that Kubernetes runs by default on pod creation:
 * DefaultTolerationSeconds (tolerate not-ready/unreachable nodes for 300 s, so the node
 * lifecycle controller evicts after five minutes) and the ServiceAccount default.
 */
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

export function admitCreate(def: ResourceDef, obj: KubeObject): void {
  if (def.plural !== 'pods') return;
  const spec = (obj.spec ?? {}) as { tolerations?: Toleration[]; serviceAccountName?: string; serviceAccount?: string };
  const tolerations = spec.tolerations ?? [];
  const tolerates = (key: string) =>
    tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  const added: Toleration[] = [];
  if (!tolerates(NOT_READY)) added.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  if (!tolerates(UNREACHABLE)) added.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  if (added.length) spec.tolerations = [...tolerations, ...added];
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  obj.spec = spec;
}
