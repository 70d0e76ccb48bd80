/**
 * "May this user do that?" asked of the apiserver with a SubjectAccessReview
 * (authorization.k8s.io/v1), as Kubernetes' csrapproving controller and the kubelet's
 * webhook authorizer do. An apiserver that does not serve SubjectAccessReviews (no
 * authorization configured) answers 404; the check then falls back to the caller's rule.
 */
import type { Logger } from 'pino';
import { isApiError } from '../meta/errors.js';
import type { KubeClient } from './kube-client.js';

export interface ReviewedUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  group: string;
  resource: string;
  verb: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}

export type AccessCheck = (user: ReviewedUser, attrs: ResourceAttributes, fallback: () => boolean) => Promise<boolean>;

const SAR_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

export function subjectAccessCheck(client: KubeClient, log: Logger): AccessCheck {
  let served: boolean | undefined;
  return async (user, attrs, fallback) => {
    if (served === false) return fallback();
    try {
      const review = await client.request<{ status?: { allowed?: boolean } }>({
        method: 'POST',
        path: SAR_PATH,
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, resourceAttributes: attrs },
        },
      });
      served = true;
      return review.status?.allowed === true;
    } catch (err) {
      if (isApiError(err, 'NotFound')) {
        if (served === undefined) log.info('the apiserver serves no SubjectAccessReviews: approving by group membership');
        served = false;
        return fallback();
      }
      throw err;
    }
  };
}
