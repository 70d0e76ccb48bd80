/**
 * The Node authorizer's graph, kept from the pod watch cache: which node each pod is
 * bound to, and which secrets, configmaps, persistent volume claims and service accounts
 * the pods of each node reference. Updated per pod event (pods change often), so a
 * request is a couple of map lookups.
 */
import type { KubeObject } from '../../../api/meta/object-meta.js';
import type { CacheEvent } from '../../storage/watch-cache.js';

export type ReferencedKind = 'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'serviceaccounts';

interface PodRefs {
  node: string;
  refs: string[];
}

interface EnvVarSource {
  secretKeyRef?: { name?: string };
  configMapKeyRef?: { name?: string };
}
interface ContainerLike {
  env?: { valueFrom?: EnvVarSource }[];
  envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[];
}
interface VolumeLike {
  secret?: { secretName?: string };
  configMap?: { name?: string };
  persistentVolumeClaim?: { claimName?: string };
  projected?: { sources?: { secret?: { name?: string }; configMap?: { name?: string } }[] };
}
interface PodSpecLike {
  nodeName?: string;
  serviceAccountName?: string;
  imagePullSecrets?: { name?: string }[];
  volumes?: VolumeLike[];
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

function refKey(kind: ReferencedKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Every object a pod references (Kubernetes' VisitPodSecretNames / VisitPodConfigmapNames, plus PVCs and the service account). */
export function podReferences(pod: KubeObject): { kind: ReferencedKind; name: string }[] {
  const spec = (pod.spec ?? {}) as PodSpecLike;
  const out: { kind: ReferencedKind; name: string }[] = [];
  const add = (kind: ReferencedKind, name: string | undefined) => {
    if (name) out.push({ kind, name });
  };
  add('serviceaccounts', spec.serviceAccountName);
  for (const s of spec.imagePullSecrets ?? []) add('secrets', s.name);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add('secrets', e.valueFrom?.secretKeyRef?.name);
      add('configmaps', e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('secrets', e.secretRef?.name);
      add('configmaps', e.configMapRef?.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    add('secrets', v.secret?.secretName);
    add('configmaps', v.configMap?.name);
    add('persistentvolumeclaims', v.persistentVolumeClaim?.claimName);
    for (const src of v.projected?.sources ?? []) {
      add('secrets', src.secret?.name);
      add('configmaps', src.configMap?.name);
    }
  }
  return out;
}

export class NodeGraph {
  private readonly pods = new Map<string, PodRefs>();
  /** node → reference key → how many of its pods hold it. */
  private readonly byNode = new Map<string, Map<string, number>>();

  reset(items: KubeObject[]): void {
    this.pods.clear();
    this.byNode.clear();
    for (const pod of items) this.setPod(pod);
  }

  apply(ev: CacheEvent): void {
    if (ev.type === 'DELETED') this.removePod(podKey(ev.object));
    else this.setPod(ev.object);
  }

  /** The node a pod is bound to, or undefined (unknown or unscheduled pod). */
  nodeOfPod(namespace: string, name: string): string | undefined {
    return this.pods.get(`${namespace}/${name}`)?.node;
  }

  /** Whether a pod bound to `node` references the object. */
  references(node: string, kind: ReferencedKind, namespace: string, name: string): boolean {
    return (this.byNode.get(node)?.get(refKey(kind, namespace, name)) ?? 0) > 0;
  }

  private setPod(pod: KubeObject): void {
    const key = podKey(pod);
    this.removePod(key);
    const node = ((pod.spec ?? {}) as PodSpecLike).nodeName;
    if (!node) return; // unscheduled pods give no node any access
    const ns = pod.metadata.namespace ?? '';
    const refs = [...new Set(podReferences(pod).map((r) => refKey(r.kind, ns, r.name)))];
    this.pods.set(key, { node, refs });
    let counts = this.byNode.get(node);
    if (!counts) this.byNode.set(node, (counts = new Map()));
    for (const r of refs) counts.set(r, (counts.get(r) ?? 0) + 1);
  }

  private removePod(key: string): void {
    const old = this.pods.get(key);
    if (!old) return;
    this.pods.delete(key);
    const counts = this.byNode.get(old.node);
    if (!counts) return;
    for (const r of old.refs) {
      const n = (counts.get(r) ?? 0) - 1;
      if (n > 0) counts.set(r, n);
      else counts.delete(r);
    }
    if (counts.size === 0) this.byNode.delete(old.node);
  }
}

function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
