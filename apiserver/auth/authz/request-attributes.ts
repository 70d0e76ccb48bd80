/**
 * The authorization attributes of an HTTP request (Kubernetes' RequestInfo → Attributes):
 * resource requests by group, resource, subresource, namespace and name with the REST
 * verb; anything else as a non-resource path with the lower-case HTTP method.
 */
import { verbOf } from '../../http/resource-handler.js';
import { parseResourcePath } from '../../http/request-info.js';
import type { RequestAttributes, UserInfo } from '../types.js';

export function requestAttributes(method: string, rawUrl: string, user: UserInfo): RequestAttributes {
  const url = new URL(rawUrl, 'http://localhost');
  const info = parseResourcePath(url.pathname);
  if (!info) {
    return { user, verb: method.toLowerCase(), resourceRequest: false, path: url.pathname, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  }
  // POST /api/v1/namespaces/{ns}/bindings is the legacy form of pods/binding.
  return {
    user,
    verb: verbOf(method.toUpperCase(), info, url.searchParams),
    resourceRequest: true,
    path: url.pathname,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    subresource: info.subresource ?? '',
    namespace: info.namespace ?? '',
    name: info.name ?? '',
  };
}
