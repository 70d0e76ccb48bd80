/**
 * NodeRestriction admission: what a kubelet (system:node:<name>) may write, beyond what
 * the Node authorizer lets it attempt. Its own Node only (no node-restriction.kubernetes.io
 * labels, no kubernetes.io labels other than the kubelet's own, no taints), the status of
 * pods bound to it, deleting pods bound to it, creating mirror pods only, its own Lease,
 * and tokens only for pods bound to it. Kubernetes' rules and messages.
 */
import { ApiError } from '../../../api/meta/errors.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { nodes, pods } from '../../../api/registry.js';
import { storageKey } from '../../registry/object-meta.js';
import { nodeIdentity, NODE_LEASE_NAMESPACE } from '../authz/node-authorizer.js';
import type { PolicySource } from '../authz/rbac-authorizer.js';
import type { AdmissionRequest, ValidatingAdmission } from '../types.js';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Labels a kubelet sets on its own Node (Kubernetes' kubeletapis.IsKubeletLabel). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

function labelNamespace(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

const inDomain = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  return KUBELET_LABEL_NAMESPACES.some((d) => inDomain(labelNamespace(key), d));
}

/** Labels a node may not add, change or remove on its own Node. */
export function forbiddenNodeLabels(changed: Iterable<string>): string[] {
  const out: string[] = [];
  for (const key of changed) {
    const ns = labelNamespace(key);
    const restricted = inDomain(ns, 'node-restriction.kubernetes.io');
    const kubernetes = inDomain(ns, 'kubernetes.io') || inDomain(ns, 'k8s.io');
    if (restricted || (kubernetes && !isKubeletLabel(key))) out.push(key);
  }
  return out.sort();
}

function changedLabels(a: Record<string, string> | null | undefined, b: Record<string, string> | null | undefined): Set<string> {
  const keys = new Set<string>();
  const x = a ?? {};
  const y = b ?? {};
  for (const k of Object.keys(x)) if (x[k] !== y[k]) keys.add(k);
  for (const k of Object.keys(y)) if (x[k] !== y[k]) keys.add(k);
  return keys;
}

/** `pods "x" is forbidden: <why>` with details, as admission.NewForbidden builds it. */
function refuse(req: AdmissionRequest, why: string): ApiError {
  const name = req.name || req.object?.metadata.name || '';
  const qualified = req.def.group ? `${req.def.plural}.${req.def.group}` : req.def.plural;
  const message = name ? `${qualified} ${JSON.stringify(name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
  return new ApiError(403, 'Forbidden', message, { name, group: req.def.group, kind: req.def.plural });
}

interface PodLike extends KubeObject {
  spec?: { nodeName?: string; serviceAccountName?: string; volumes?: { persistentVolumeClaim?: unknown }[] };
}

export function nodeRestriction(src: PolicySource): ValidatingAdmission {
  const nodeUid = (name: string): string | undefined => src.storeFor(nodes).cache.get(storageKey(nodes, undefined, name))?.metadata.uid;
  return {
    name: 'NodeRestriction',
    async validate(req: AdmissionRequest): Promise<void> {
      const { isNode, name: node } = nodeIdentity(req.user);
      if (!isNode) return;
      if (!node) throw refuse(req, `could not determine node from user ${JSON.stringify(req.user.name)}`);
      const g = req.def.group;
      const r = req.def.plural;
      if (g === '' && r === 'pods') return admitPod(req, node, nodeUid);
      if (g === '' && r === 'nodes') return admitNode(req, node);
      if (g === '' && r === 'serviceaccounts' && req.subresource === 'token' && req.operation === 'CREATE') return admitToken(req, node, src);
      if (g === 'coordination.k8s.io' && r === 'leases') return admitLease(req, node);
    },
  };
}

function admitPod(req: AdmissionRequest, node: string, nodeUid: (name: string) => string | undefined): void {
  if (req.subresource === 'status') {
    if (req.operation !== 'UPDATE') throw refuse(req, `unexpected operation ${JSON.stringify(req.operation)}`);
    const old = req.oldObject as PodLike | undefined;
    if (old?.spec?.nodeName !== node) throw refuse(req, `node ${JSON.stringify(node)} can only update pod status for pods with spec.nodeName set to itself`);
    if (changedLabels(old.metadata.labels, req.object?.metadata.labels).size > 0) {
      throw refuse(req, `node ${JSON.stringify(node)} cannot update labels through pod status`);
    }
    return;
  }
  if (req.subresource) throw refuse(req, `unexpected pod subresource ${JSON.stringify(req.subresource)}, only 'status' and 'eviction' are allowed`);
  if (req.operation === 'DELETE') {
    if ((req.oldObject as PodLike | undefined)?.spec?.nodeName !== node) {
      throw refuse(req, `node ${JSON.stringify(node)} can only delete pods with spec.nodeName set to itself`);
    }
    return;
  }
  if (req.operation !== 'CREATE') {
    throw refuse(req, `unexpected operation ${JSON.stringify(req.operation)}, node ${JSON.stringify(node)} can only create and delete mirror pods`);
  }
  admitMirrorPodCreate(req, node, nodeUid);
}

function admitMirrorPodCreate(req: AdmissionRequest, node: string, nodeUid: (name: string) => string | undefined): void {
  const pod = req.object as PodLike;
  const q = JSON.stringify(node);
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] === undefined) {
    throw refuse(req, `pod does not have ${JSON.stringify(MIRROR_POD_ANNOTATION)} annotation, node ${q} can only create mirror pods`);
  }
  if (pod.spec?.nodeName !== node) throw refuse(req, `node ${q} can only create pods with spec.nodeName set to itself`);
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.length > 1) throw refuse(req, `node ${q} can only create pods with a single owner reference set to itself`);
  const owner = owners[0];
  if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node) {
    throw refuse(req, `node ${q} can only create pods with an owner reference set to itself`);
  }
  if (!owner.controller) throw refuse(req, `node ${q} can only create pods with a controller owner reference set to itself`);
  if (owner.blockOwnerDeletion) throw refuse(req, `node ${q} must not set blockOwnerDeletion on an owner reference`);
  const uid = nodeUid(node);
  if (owner.uid !== uid) throw refuse(req, `node ${node} UID mismatch: expected ${owner.uid} got ${uid ?? ''}`);
  // A mirror pod may reference no other API object: that would widen what the node can read.
  if (pod.spec?.serviceAccountName) throw refuse(req, `node ${q} can not create pods that reference a service account`);
  if ((pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim)) {
    throw refuse(req, `node ${q} can not create pods that reference persistentvolumeclaims`);
  }
}

function admitNode(req: AdmissionRequest, node: string): void {
  if (req.name !== node) throw refuse(req, `node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(req.name)}`);
  const obj = req.object as (KubeObject & { spec?: { taints?: unknown } }) | undefined;
  if (req.operation === 'CREATE' && obj) {
    const bad = forbiddenNodeLabels(Object.keys(obj.metadata.labels ?? {}));
    if (bad.length) throw refuse(req, `node ${JSON.stringify(node)} is not allowed to set the following labels: ${bad.join(', ')}`);
  }
  if (req.operation === 'UPDATE' && obj && req.oldObject) {
    const old = req.oldObject as KubeObject & { spec?: { taints?: unknown } };
    if (JSON.stringify(obj.spec?.taints ?? []) !== JSON.stringify(old.spec?.taints ?? [])) {
      throw refuse(req, `node ${JSON.stringify(node)} is not allowed to modify taints`);
    }
    const bad = forbiddenNodeLabels(changedLabels(obj.metadata.labels, old.metadata.labels));
    if (bad.length) throw refuse(req, `is not allowed to modify labels: ${bad.join(', ')}`);
  }
}

function admitLease(req: AdmissionRequest, node: string): void {
  if (req.namespace !== NODE_LEASE_NAMESPACE) throw refuse(req, `can only access leases in the ${JSON.stringify(NODE_LEASE_NAMESPACE)} system namespace`);
  const name = req.name || req.object?.metadata.name || '';
  if (name !== node) throw refuse(req, `can only access node lease with the same name as the requesting node`);
}

interface TokenRequestLike {
  spec?: { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } };
}

/** A node may ask a token only for a pod bound to it (the TokenRequest names the pod). */
function admitToken(req: AdmissionRequest, node: string, src: PolicySource): void {
  const ref = (req.object as unknown as TokenRequestLike | undefined)?.spec?.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw refuse(req, 'node requested token not bound to a pod');
  if (!ref.uid) throw refuse(req, 'node requested token with a pod binding without a uid');
  const pod = src.storeFor(pods).cache.get(storageKey(pods, req.namespace, ref.name)) as PodLike | undefined;
  if (!pod) throw new ApiError(404, 'NotFound', `pods "${ref.name}" not found`, { name: ref.name, group: '', kind: 'pods' });
  if (ref.uid !== pod.metadata.uid) {
    throw refuse(req, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if (pod.spec?.nodeName !== node) throw refuse(req, 'node requested token bound to a pod scheduled on a different node');
}
