/**
 * The contracts of the apiserver's security chain, in the order a request meets them:
 * authentication (who is asking), authorization (may they), admission (is this write
 * acceptable from them). Kubernetes' names and semantics throughout.
 */
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';

/** An authenticated identity (Kubernetes' user.Info). */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ANONYMOUS_USER: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/**
 * One way of proving identity (client certificate, bearer token, service-account JWT).
 * Returns undefined when the request carries no credential of this kind; throws an
 * ApiError 401 when it carries one that is invalid or expired.
 */
export interface Authenticator {
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

/** What a request wants to do (Kubernetes' authorizer.Attributes). */
export interface RequestAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection, proxy; for non-resource requests the lower-case HTTP method. */
  verb: string;
  resourceRequest: boolean;
  /** For non-resource requests, e.g. /healthz. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why; added to the 403 message when denied. */
  reason: string;
}

export interface Authorizer {
  authorize(attrs: RequestAttributes): Promise<AuthorizationResult>;
}

/** A write as admission sees it (Kubernetes' admission.Attributes). */
export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  def: ResourceDef;
  subresource: string;
  namespace: string;
  name: string;
  /** The new object (CREATE/UPDATE), after defaulting. */
  object?: KubeObject;
  /** The stored object (UPDATE/DELETE). */
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

/** A validating admission plugin: throws an ApiError (usually 403 Forbidden) to refuse the write. */
export interface ValidatingAdmission {
  readonly name: string;
  validate(req: AdmissionRequest): Promise<void>;
}
