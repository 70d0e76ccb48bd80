/**
 * The CertificateSigningRequest strategy beyond the generic store: at creation the
 * requester's identity (spec.username, uid, groups, extra) comes from the authenticated
 * user and never from the body, and a new request carries no status (no pre-approved
 * requests). The approval subresource changes only the Approved/Denied conditions.
 */
import { decode } from '../../api/decode.js';
import { badRequest, conflict, invalid } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import {
  type CertificateSigningRequest,
  type CertificateSigningRequestCondition,
  defaultCsrConditions,
  isApprovalCondition,
} from '../../api/types/certificates.js';
import { validateCertificateSigningRequest, validateCertificateSigningRequestApproval } from '../../api/types/certificates-validation.js';
import { validateObjectMeta } from '../../api/meta/validation.js';
import type { UserInfo } from '../auth/types.js';
import { applyPatch } from '../patch/apply-patch.js';
import type { ResourceStore, WriteContext } from './resource-store.js';
import { jsonEqual } from './object-meta.js';

export const CSR_RESOURCE = 'certificatesigningrequests';

/** A create body with the requester's identity stamped in and no status. Non-objects pass through for the store to refuse. */
export function stampRequester(body: unknown, user: UserInfo | undefined): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const input = { ...(body as Record<string, unknown>) };
  const spec = typeof input.spec === 'object' && input.spec !== null && !Array.isArray(input.spec) ? { ...(input.spec as Record<string, unknown>) } : {};
  delete spec.username;
  delete spec.uid;
  delete spec.groups;
  delete spec.extra;
  if (user) {
    spec.username = user.name;
    if (user.uid) spec.uid = user.uid;
    if (user.groups.length) spec.groups = [...user.groups];
    if (user.extra && Object.keys(user.extra).length) spec.extra = structuredClone(user.extra);
  }
  input.spec = spec;
  delete input.status;
  return input;
}

/**
 * The conditions after an approval update: Approved and Denied from the request, every
 * other condition from the stored object. An approval condition that did not change keeps
 * its timestamps.
 */
export function mergeApprovalConditions(requested: CertificateSigningRequestCondition[], stored: CertificateSigningRequestCondition[]): CertificateSigningRequestCondition[] {
  const approval = requested.filter((c) => isApprovalCondition(c.type)).map((c) => {
    const before = stored.find((s) => s.type === c.type);
    if (!before) return { ...c };
    const merged = { ...c };
    if ((before.status ?? 'True') === (c.status ?? 'True')) merged.lastTransitionTime = before.lastTransitionTime ?? merged.lastTransitionTime;
    return merged;
  });
  return [...approval, ...stored.filter((c) => !isApprovalCondition(c.type))];
}

/**
 * PUT or PATCH of certificatesigningrequests/{name}/approval. `desired` turns the stored
 * object into what the client sent (the body for PUT, the patched object for PATCH).
 */
export async function updateApproval(
  store: ResourceStore,
  name: string,
  ctx: WriteContext,
  desired: (current: CertificateSigningRequest) => unknown,
): Promise<KubeObject> {
  const def = store.def as unknown as ResourceDef<CertificateSigningRequest>;
  return store.systemUpdate(undefined, name, ctx, (stored) => {
    const current = stored as CertificateSigningRequest;
    const raw = desired(structuredClone(current));
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest(`the body of the request must be a JSON object describing a ${def.kind}`);
    const { object: requested } = decode(def, { ...(raw as Record<string, unknown>), apiVersion: (raw as { apiVersion?: unknown }).apiVersion || 'certificates.k8s.io/v1', kind: (raw as { kind?: unknown }).kind || def.kind });
    if (requested.metadata.name && requested.metadata.name !== name) {
      throw badRequest(`the name of the object (${requested.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = requested.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw conflict(store.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const next = structuredClone(current);
    const conditions = mergeApprovalConditions(requested.status?.conditions ?? [], current.status?.conditions ?? []);
    next.status = { ...(next.status ?? {}), conditions };
    if (!conditions.length) delete next.status.conditions;
    defaultCsrConditions(next);
    const causes = [
      ...validateObjectMeta(next.metadata, { namespaced: false, nameRule: 'DNS1123Subdomain' }),
      ...validateCertificateSigningRequest(next),
      ...validateCertificateSigningRequestApproval(next, current),
    ];
    if (causes.length) throw invalid(def.kind, def.group, name, causes);
    return jsonEqual(next, current) ? undefined : next;
  });
}

/** PATCH of the approval subresource: the patch applies to the stored object. */
export function patchApproval(def: ResourceDef, contentType: string, patchBody: unknown) {
  return (current: CertificateSigningRequest): unknown => applyPatch(contentType, current, patchBody, def.schema);
}
