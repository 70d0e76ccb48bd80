/** Whether a toleration tolerates a taint, as Kubernetes' Toleration.ToleratesTaint. */
import type { Toleration } from '../../api/types/affinity.js';
import type { Taint } from '../../api/types/node.js';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  // An empty key with Exists tolerates every key.
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (!t.key) return false;
  return (t.value ?? '') === (taint.value ?? '');
}

export function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}
