/**
 * The service-account token authenticator: a bearer JWT from our issuer is verified
 * (signature, issuer, audience, lifetime) and then checked against the live objects it
 * names — the ServiceAccount and any bound Pod or Secret must still exist with the uid in
 * the token. The user is system:serviceaccount:<ns>:<name> in the service-account groups.
 * Tokens of other issuers, and opaque tokens, are left to the other authenticators.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../../api/meta/errors.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { pods, secrets, serviceAccounts } from '../../../api/registry.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { Authenticator, UserInfo } from '../types.js';
import { InvalidTokenError, serviceAccountUsername, unverifiedIssuer, verifyServiceAccountToken, type ServiceAccountTokenClaims } from './jwt.js';
import type { ServiceAccountKeys } from './keys.js';
import { lookupObject, type StoreSource } from './object-lookup.js';

export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
/** A bound object deleted this long ago no longer backs a token (grace for in-flight requests). */
const DELETION_LEEWAY_MS = 60_000;

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** The bearer token of a request (Authorization: Bearer <token>), if any. */
export function bearerToken(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** The user a service account's token stands for (Kubernetes' serviceaccount.UserInfo). */
export function serviceAccountUser(claims: ServiceAccountTokenClaims): UserInfo {
  const kube = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (kube.pod) {
    extra[EXTRA_POD_NAME] = [kube.pod.name];
    extra[EXTRA_POD_UID] = [kube.pod.uid];
  }
  if (kube.node) {
    extra[EXTRA_NODE_NAME] = [kube.node.name];
    extra[EXTRA_NODE_UID] = [kube.node.uid];
  }
  if (claims.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${claims.jti}`];
  const user: UserInfo = {
    name: serviceAccountUsername(kube.namespace, kube.serviceaccount.name),
    uid: kube.serviceaccount.uid,
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${kube.namespace}`, 'system:authenticated'],
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

async function requireLive<T extends KubeObject>(src: StoreSource, def: ResourceDef<T>, namespace: string, ref: { name: string; uid: string }, now: Date): Promise<void> {
  const obj = await lookupObject(src, def, namespace, ref.name, ref.uid);
  if (!obj) throw new InvalidTokenError(`${def.kind} ${namespace}/${ref.name} has been deleted`);
  if (obj.metadata.uid !== ref.uid) {
    throw new InvalidTokenError(`${def.kind} UID (${obj.metadata.uid ?? ''}) does not match the token's (${ref.uid})`);
  }
  const deleting = obj.metadata.deletionTimestamp;
  if (deleting && Date.parse(deleting) + DELETION_LEEWAY_MS < now.getTime()) {
    throw new InvalidTokenError(`${def.kind} ${namespace}/${ref.name} is being deleted`);
  }
}

/** Checks verified claims against the stored objects; throws InvalidTokenError when one is gone or replaced. */
export async function validateBoundObjects(src: StoreSource, claims: ServiceAccountTokenClaims, now: Date = new Date()): Promise<void> {
  const kube = claims['kubernetes.io'];
  const sa = await lookupObject(src, serviceAccounts, kube.namespace, kube.serviceaccount.name, kube.serviceaccount.uid);
  if (!sa) throw new InvalidTokenError(`ServiceAccount ${kube.namespace}/${kube.serviceaccount.name} has been deleted`);
  if (sa.metadata.uid !== kube.serviceaccount.uid) {
    throw new InvalidTokenError(`ServiceAccount UID (${sa.metadata.uid ?? ''}) does not match the token's (${kube.serviceaccount.uid})`);
  }
  if (sa.metadata.deletionTimestamp) throw new InvalidTokenError(`ServiceAccount ${kube.namespace}/${kube.serviceaccount.name} is being deleted`);
  if (kube.pod) await requireLive(src, pods, kube.namespace, kube.pod, now);
  if (kube.secret) await requireLive(src, secrets, kube.namespace, kube.secret, now);
}

export interface ServiceAccountAuthenticatorOptions {
  /** Called with the reason a token of our issuer was refused (never with the token). */
  onRejected?(reason: string): void;
}

/**
 * `audiences` are the apiserver's (--api-audiences; empty: the keys' audiences, by default
 * the issuer): a token must name one of them.
 */
export function createServiceAccountAuthenticator(
  keys: ServiceAccountKeys,
  src: StoreSource,
  audiences: string[],
  opts: ServiceAccountAuthenticatorOptions = {},
): Authenticator {
  const accepted = audiences.length ? audiences : keys.audiences;
  return {
    async authenticate(req) {
      const token = bearerToken(req);
      if (!token || unverifiedIssuer(token) !== keys.issuer) return undefined;
      try {
        const claims = await verifyServiceAccountToken(keys, token, accepted);
        await validateBoundObjects(src, claims);
        return serviceAccountUser(claims);
      } catch (err) {
        if (!(err instanceof InvalidTokenError)) throw err;
        opts.onRejected?.(err.message);
        throw unauthorized();
      }
    },
  };
}
