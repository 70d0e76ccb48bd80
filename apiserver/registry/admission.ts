/**
 * Mutating admission that Kubernetes runs by default on pod creation:
 * DefaultTolerationSeconds (tolerate not-ready/unreachable nodes for 300 s, so the node
 * lifecycle controller evicts after five minutes) and the ServiceAccount default; and,
 * when the apiserver is secured, the full ServiceAccount plugin (serviceAccountAdmission).
 */
import { forbidden } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import type { AdmissionRequest } from '../auth/types.js';

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

// ---- ServiceAccount admission ------------------------------------------------

/** Where the projected token volume is mounted in every container. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const KUBE_API_ACCESS_PREFIX = 'kube-api-access-';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** Slightly over an hour, so the kubelet's tokens are recognisable as its own (Kubernetes' value). */
export const PROJECTED_TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** Kubernetes' random-suffix alphabet: no vowels, no look-alike digits. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The parts of a ServiceAccount that admission reads. */
export interface AdmittedServiceAccount {
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: { name?: string }[];
}

export interface ServiceAccountAdmissionOptions {
  /** The ServiceAccount, or undefined when it does not exist. */
  serviceAccount(namespace: string, name: string): Promise<AdmittedServiceAccount | undefined>;
  /** Add the kube-api-access projected volume (the apiserver signs service-account tokens). */
  mountServiceAccountToken: boolean;
  /** Random source for the volume name suffix (tests). */
  random?: () => number;
}

interface AdmittedContainer {
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface AdmittedPodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: { name?: string }[];
  containers?: AdmittedContainer[];
  initContainers?: AdmittedContainer[];
  volumes?: { name: string; [source: string]: unknown }[];
}

function randomSuffix(random: () => number): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)];
  return s;
}

/** The projected volume that carries a pod's token, the cluster CA and its namespace. */
export function kubeApiAccessVolume(name: string) {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/**
 * Kubernetes' ServiceAccount admission plugin on pod creation: the pod runs as an existing
 * ServiceAccount (403 otherwise), inherits its imagePullSecrets, and — unless the pod or the
 * account opts out with automountServiceAccountToken: false — gets the kube-api-access
 * volume mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every
 * container that does not already mount something there. Mirror pods are left alone.
 */
export async function admitPodServiceAccount(pod: KubeObject, opts: ServiceAccountAdmissionOptions): Promise<void> {
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
  const spec = (pod.spec ?? {}) as AdmittedPodSpec;
  pod.spec = spec;
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  const namespace = pod.metadata.namespace ?? 'default';
  const saName = spec.serviceAccountName;

  const sa = await opts.serviceAccount(namespace, saName);
  if (!sa) {
    const podName = pod.metadata.name ?? '';
    throw forbidden({ group: '', resource: 'pods' }, podName, `error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`);
  }
  if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) {
    spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
  }
  const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
  if (opts.mountServiceAccountToken && automount) mountKubeApiAccess(spec, opts.random ?? Math.random);
}

function mountKubeApiAccess(spec: AdmittedPodSpec, random: () => number): void {
  const volumes = spec.volumes ?? [];
  // A volume already named kube-api-access-* is reused (so no generated name can collide).
  const existing = volumes.find((v) => v.name.startsWith(KUBE_API_ACCESS_PREFIX));
  const volumeName = existing?.name ?? KUBE_API_ACCESS_PREFIX + randomSuffix(random);
  let needsVolume = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    needsVolume = true;
  }
  if (needsVolume && !existing) spec.volumes = [...volumes, kubeApiAccessVolume(volumeName)];
}

/** A mutating admission plugin (the validating kind is in auth/types.ts). */
export interface MutatingAdmission {
  readonly name: string;
  /** Changes req.object in place, or throws an ApiError to refuse the write. */
  admit(req: AdmissionRequest): Promise<void>;
}

/**
 * The ServiceAccount plugin for the store's create path. `mountServiceAccountToken` is
 * true when the apiserver has service-account keys (it can sign the projected tokens).
 */
export function serviceAccountAdmission(
  lookup: ServiceAccountAdmissionOptions['serviceAccount'],
  opts: { mountServiceAccountToken: boolean },
): MutatingAdmission {
  return {
    name: 'ServiceAccount',
    async admit(req) {
      if (req.operation !== 'CREATE' || req.def.plural !== 'pods' || req.def.group !== '' || req.subresource || !req.object) return;
      await admitPodServiceAccount(req.object, { serviceAccount: lookup, mountServiceAccountToken: opts.mountServiceAccountToken });
    },
  };
}
