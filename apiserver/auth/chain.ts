/**
 * The security steps a request passes before its handler, in kube-apiserver's order:
 * authentication (who: 401 when a credential is refused, or when nobody is named outside
 * the public paths and nothing is granted to system:anonymous), then authorization (may they: 403 with Kubernetes' message).
 * The user is attached to the request for the handlers and admission.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import {
  createBootstrapTokenAuthenticator,
  createTokenFileAuthenticator,
  createX509Authenticator,
  isPublicInfoPath,
  loadTokenFile,
  unauthorized,
  unionAuthenticator,
} from './authn/index.js';
import { forbiddenError, requestAttributes, type PolicySource } from './authz/index.js';
import { createServiceAccountAuthenticator, type ServiceAccountKeys } from './serviceaccount/index.js';
import { impersonationOf } from './impersonation.js';
import { setRequestUser } from './request-user.js';
import { ANONYMOUS_USER, type Authenticator, type Authorizer, type RequestAttributes, type UserInfo } from './types.js';

export interface RequestChainOptions {
  authenticator: Authenticator;
  authorizer: Authorizer;
  log: Logger;
}

export interface RequestChain {
  /** Authenticates and authorizes the request; throws the 401/403 ApiError to answer with. */
  admit(req: IncomingMessage): Promise<UserInfo>;
}

/** Subresources that open a stream into a container: a websocket GET must also be allowed to create (Kubernetes 1.30+). */
const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

export function createRequestChain(opts: RequestChainOptions): RequestChain {
  return {
    async admit(req) {
      const url = req.url ?? '/';
      const path = new URL(url, 'http://localhost').pathname;
      const authenticated = await opts.authenticator.authenticate(req);
      const user = authenticated ?? ANONYMOUS_USER;
      setRequestUser(req, user);
      // Health and version are everybody's (kube-apiserver's system:public-info-viewer).
      if (isPublicInfoPath(path)) return user;

      const attrs = attributesOf(req.method ?? 'GET', url, user);
      if (!authenticated) {
        // Anonymous is system:anonymous and the authorizers decide, as in Kubernetes; but a
        // request nothing grants to anonymous is 401 (not 403): no credentials, no entry.
        // The one grant tkube makes is kube-public/cluster-info, read by joining nodes.
        if ((await opts.authorizer.authorize(attrs)).decision !== 'Allow') throw unauthorized();
        return user;
      }
      const impersonation = impersonationOf(req);
      if (impersonation) {
        // The requester must be allowed to impersonate; then the request is authorized as the impersonated user.
        for (const check of impersonation.checks) await authorizeOrThrow(opts.authorizer, { ...check, user, path }, opts.log);
        setRequestUser(req, impersonation.user);
        return authorizeAs(opts, attributesOf(req.method ?? 'GET', url, impersonation.user));
      }
      return authorizeAs(opts, attrs);
    },
  };
}

async function authorizeAs(opts: RequestChainOptions, attrs: RequestAttributes): Promise<UserInfo> {
  await authorizeOrThrow(opts.authorizer, attrs, opts.log);
  if (attrs.verb === 'get' && attrs.resource === 'pods' && STREAMING_SUBRESOURCES.has(attrs.subresource)) {
    await authorizeOrThrow(opts.authorizer, { ...attrs, verb: 'create' }, opts.log);
  }
  return attrs.user;
}

export function attributesOf(method: string, url: string, user: UserInfo): RequestAttributes {
  const attrs = requestAttributes(method, url, user);
  // A Namespace is inside itself: a RoleBinding in "team" grants access to namespace "team" (Kubernetes' RequestInfo).
  if (attrs.resourceRequest && attrs.apiGroup === '' && attrs.resource === 'namespaces' && attrs.name && !attrs.namespace) {
    return { ...attrs, namespace: attrs.name };
  }
  return attrs;
}

async function authorizeOrThrow(authorizer: Authorizer, attrs: RequestAttributes, log: Logger): Promise<void> {
  const result = await authorizer.authorize(attrs);
  if (result.decision === 'Allow') return;
  log.debug({ user: attrs.user.name, verb: attrs.verb, resource: attrs.resource, subresource: attrs.subresource, namespace: attrs.namespace, path: attrs.path }, 'forbidden');
  throw forbiddenError(attrs, result.reason);
}

/** The authentication options of the apiserver (its flags' names in comments). */
export interface AuthenticationOptions {
  /** --client-ca-file was given: TLS verifies client certificates against it. */
  clientCertificates: boolean;
  /** --token-auth-file */
  tokenAuthFile?: string;
  /** --enable-bootstrap-token-auth */
  enableBootstrapTokenAuth?: boolean;
  /** Service-account JWTs (--service-account-key-file / --api-audiences). */
  serviceAccount?: { keys: ServiceAccountKeys; audiences: string[] };
}

/** The authenticators the options ask for, in kube-apiserver's order: certificates, token file, bootstrap tokens, service accounts. */
export function createAuthenticator(opts: AuthenticationOptions, src: PolicySource, log: Logger): Authenticator {
  const members: Authenticator[] = [];
  if (opts.clientCertificates) members.push(createX509Authenticator({ onRejected: (reason) => log.debug({ reason }, 'client certificate refused') }));
  if (opts.tokenAuthFile) {
    const tokens = loadTokenFile(opts.tokenAuthFile);
    log.info({ file: opts.tokenAuthFile, users: tokens.size }, 'static token file loaded');
    members.push(createTokenFileAuthenticator(tokens));
  }
  if (opts.enableBootstrapTokenAuth) {
    members.push(createBootstrapTokenAuthenticator(src, { onRejected: (tokenId, reason) => log.debug({ tokenId, reason }, 'bootstrap token refused') }));
  }
  if (opts.serviceAccount) {
    members.push(createServiceAccountAuthenticator(opts.serviceAccount.keys, src, opts.serviceAccount.audiences, { onRejected: (reason) => log.debug({ reason }, 'service account token refused') }));
  }
  return unionAuthenticator(members);
}
