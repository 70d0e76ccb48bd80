/**
 * TokenRequest: POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token. Issues a
 * token for the ServiceAccount with the requested audiences (default: the apiserver's)
 * and lifetime (at least 10 minutes, default one hour), optionally bound to a Pod, Secret
 * or Node so that it dies with that object. `kubectl create token` and the kubelet's
 * projected serviceAccountToken volumes use it.
 */
import { ApiError, badRequest, conflict, invalid, notFound, type StatusCause } from '../../../api/meta/errors.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { nodes, pods, secrets, serviceAccounts } from '../../../api/registry.js';
import type { ResourceDef } from '../../../api/resource.js';
import {
  AUTHENTICATION_V1,
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  MIN_TOKEN_EXPIRATION_SECONDS,
  TokenRequest,
  type BoundObjectReference,
} from '../../../api/types/authentication.js';
import type { Pod } from '../../../api/types/pod.js';
import { nowTimestamp } from '../../registry/object-meta.js';
import { signServiceAccountToken, type ObjectRef, type TokenSpec } from './jwt.js';
import type { ServiceAccountKeys } from './keys.js';
import { lookupObject, type StoreSource } from './object-lookup.js';

/** Kubernetes refuses lifetimes of 2^32 seconds or more. */
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32 - 1;

const BINDABLE: Record<string, ResourceDef<KubeObject>> = { Pod: pods, Secret: secrets, Node: nodes };

/** The request body as a TokenRequest (400 when it is something else). */
export function parseTokenRequest(body: unknown): TokenRequest {
  const parsed = TokenRequest.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`TokenRequest: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const tr = parsed.data;
  if (tr.apiVersion !== AUTHENTICATION_V1 || tr.kind !== 'TokenRequest') {
    throw badRequest(`the body of the request must be an ${AUTHENTICATION_V1} TokenRequest, not ${tr.apiVersion}, Kind=${tr.kind}`);
  }
  return tr;
}

function validateSpec(name: string, tr: TokenRequest): void {
  const causes: StatusCause[] = [];
  const exp = tr.spec.expirationSeconds;
  if (exp !== undefined && exp !== null) {
    if (exp < MIN_TOKEN_EXPIRATION_SECONDS) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes` });
    } else if (exp > MAX_TOKEN_EXPIRATION_SECONDS) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds` });
    }
  }
  if (causes.length) throw invalid('TokenRequest', 'authentication.k8s.io', name, causes);
}

/** The object a token is bound to, checked as Kubernetes does (kind, existence, uid, the pod's account). */
async function resolveBoundObject(src: StoreSource, namespace: string, saName: string, ref: BoundObjectReference): Promise<{ kind: string; obj: KubeObject }> {
  const kind = ref.kind ?? '';
  const def = BINDABLE[kind];
  if (!def || (ref.apiVersion ?? 'v1') !== 'v1') {
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to object of type ${ref.apiVersion ?? ''}, Kind=${kind}`);
  }
  const objName = ref.name ?? '';
  if (!objName) throw badRequest('boundObjectRef.name: Required value');
  const obj = await lookupObject(src, def, def.namespaced ? namespace : undefined, objName, ref.uid || undefined);
  if (!obj) throw notFound({ group: '', resource: def.plural }, objName);
  if (ref.uid && ref.uid !== obj.metadata.uid) {
    throw conflict(
      { group: '', resource: def.plural },
      objName,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  if (kind === 'Pod' && ((obj as Pod).spec.serviceAccountName || 'default') !== saName) {
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  }
  return { kind, obj };
}

const ref = (obj: KubeObject): ObjectRef => ({ name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' });

/** Issues the token; returns the TokenRequest with spec defaults and status filled in. */
export async function createToken(
  keys: ServiceAccountKeys,
  src: StoreSource,
  namespace: string,
  saName: string,
  request: TokenRequest,
  now: Date = new Date(),
): Promise<TokenRequest> {
  validateSpec(saName, request);
  const sa = await lookupObject(src, serviceAccounts, namespace, saName);
  if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, saName);
  if (sa.metadata.deletionTimestamp) {
    throw new ApiError(403, 'Forbidden', `serviceaccounts "${saName}" is forbidden: the service account is being deleted`, { name: saName, group: '', kind: 'serviceaccounts' });
  }
  const audiences = request.spec.audiences?.length ? request.spec.audiences : keys.audiences;
  const expirationSeconds = request.spec.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const spec: TokenSpec = { namespace, serviceAccount: ref(sa), audiences, expirationSeconds, now };

  const bound = request.spec.boundObjectRef;
  if (bound) {
    const { kind, obj } = await resolveBoundObject(src, namespace, saName, bound);
    if (kind === 'Pod') {
      spec.pod = ref(obj);
      const nodeName = (obj as Pod).spec.nodeName;
      const node = nodeName ? await lookupObject(src, nodes, undefined, nodeName) : undefined;
      if (node) spec.node = ref(node);
    } else if (kind === 'Secret') {
      spec.secret = ref(obj);
    } else {
      spec.node = ref(obj);
    }
  }

  const { token, expiresAt } = await signServiceAccountToken(keys, spec);
  const boundRef = bound ? { ...bound, apiVersion: bound.apiVersion ?? 'v1', uid: spec.pod?.uid ?? spec.secret?.uid ?? spec.node?.uid } : undefined;
  return {
    apiVersion: AUTHENTICATION_V1,
    kind: 'TokenRequest',
    metadata: { name: saName, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: boundRef ?? null },
    status: { token, expirationTimestamp: nowTimestamp(expiresAt) },
  };
}
