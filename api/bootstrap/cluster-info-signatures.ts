/**
 * The signed part of kube-public/cluster-info, shared by `tkube init` (which publishes it)
 * and the bootstrapsigner controller (which keeps it current): the `kubeconfig` key and one
 * `jws-kubeconfig-<token-id>` key per signing bootstrap token, a detached JWS of that
 * kubeconfig text. Both compute the data with `withSignatures`, so what one writes the
 * other finds already right and leaves alone.
 */
import { computeDetachedSignature } from './jws.js';

export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';
export const KUBECONFIG_KEY = 'kubeconfig';
export const JWS_KEY_PREFIX = 'jws-kubeconfig-';

/** A bootstrap token's two halves: the public id and the secret that keys the signature. */
export interface SigningToken {
  id: string;
  secret: string;
}

export function signatureKey(tokenId: string): string {
  return `${JWS_KEY_PREFIX}${tokenId}`;
}

/**
 * `data` with exactly one signature of its kubeconfig per token: signatures of other
 * tokens are dropped, other keys are kept. Without a kubeconfig there is nothing to sign
 * and `data` comes back unchanged.
 */
export function withSignatures(data: Readonly<Record<string, string>>, tokens: readonly SigningToken[]): Record<string, string> {
  const kubeconfig = data[KUBECONFIG_KEY];
  if (kubeconfig === undefined) return { ...data };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (!k.startsWith(JWS_KEY_PREFIX)) out[k] = v;
  for (const t of tokens) out[signatureKey(t.id)] = computeDetachedSignature(kubeconfig, t.id, t.secret);
  return out;
}

/** Whether two ConfigMap data maps hold the same keys with the same values (order aside). */
export function sameData(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
