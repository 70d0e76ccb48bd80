/**
 * User impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the Impersonate-* headers
 * ask to act as someone else. The authenticated user must be allowed the `impersonate`
 * verb on each thing asked for (users, groups, serviceaccounts, uids, userextras/<key>);
 * the request then proceeds, and is authorized, as the impersonated user.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../../api/meta/errors.js';
import type { RequestAttributes, UserInfo } from './types.js';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
const EXTRA_HEADER_PREFIX = 'impersonate-extra-';

export interface ImpersonationRequest {
  user: UserInfo;
  /** Everything the requester must be allowed to impersonate, as authorization attributes. */
  checks: Omit<RequestAttributes, 'user' | 'path'>[];
}

/** The impersonation a request asks for, or undefined when it carries no Impersonate-* header. */
export function impersonationOf(req: IncomingMessage): ImpersonationRequest | undefined {
  const headers = req.headersDistinct;
  const userName = headers['impersonate-user']?.[0];
  const groups = headers['impersonate-group'] ?? [];
  const uid = headers['impersonate-uid']?.[0];
  const extra: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (!name.startsWith(EXTRA_HEADER_PREFIX) || !values) continue;
    extra[decodeURIComponent(name.slice(EXTRA_HEADER_PREFIX.length))] = values;
  }
  if (userName === undefined) {
    if (groups.length || uid !== undefined || Object.keys(extra).length) {
      throw badRequest('requested impersonation of groups, uid or extra fields without impersonating a user');
    }
    return undefined;
  }
  if (userName === '') throw badRequest('Impersonate-User must not be empty');

  const check = (apiGroup: string, resource: string, name: string, namespace = '', subresource = '') => ({
    verb: 'impersonate',
    resourceRequest: true,
    apiGroup,
    apiVersion: 'v1',
    resource,
    subresource,
    namespace,
    name,
  });
  const checks: ImpersonationRequest['checks'] = [];
  const userGroups = [...groups];
  if (userName.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const [namespace, name] = userName.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
    if (!namespace || !name) throw badRequest(`invalid service account user name "${userName}": want system:serviceaccount:<namespace>:<name>`);
    checks.push(check('', 'serviceaccounts', name, namespace));
    userGroups.push('system:serviceaccounts', `system:serviceaccounts:${namespace}`);
  } else {
    checks.push(check('', 'users', userName));
  }
  for (const group of groups) checks.push(check('', 'groups', group));
  if (uid !== undefined) checks.push(check('authentication.k8s.io', 'uids', uid));
  for (const [key, values] of Object.entries(extra)) {
    for (const value of values) checks.push(check('authentication.k8s.io', 'userextras', value, '', key));
  }
  // Everybody but the anonymous user is authenticated (Kubernetes adds the group the same way).
  if (userName !== 'system:anonymous' && !userGroups.includes('system:authenticated')) userGroups.push('system:authenticated');
  const user: UserInfo = { name: userName, groups: userGroups };
  if (uid !== undefined) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return { user, checks };
}
