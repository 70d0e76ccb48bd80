/** The 403 Forbidden a denied request gets, worded as kube-apiserver words it. */
import { ApiError } from '../../../api/meta/errors.js';
import type { RequestAttributes } from '../types.js';

/** `User "alice" cannot create resource "pods" in API group "" in the namespace "default"`, or `... cannot get path "/logs"`. */
function denialSentence(attrs: RequestAttributes): string {
  const user = JSON.stringify(attrs.user.name);
  if (!attrs.resourceRequest) return `User ${user} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const where = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${where}`;
}

/**
 * The whole message: `pods is forbidden: User "alice" cannot create resource "pods" in API
 * group "" in the namespace "default"`, `: <reason>` appended when there is one.
 */
export function forbiddenMessage(attrs: RequestAttributes, reason: string): string {
  const sentence = denialSentence(attrs) + (reason ? `: ${reason}` : '');
  const resource = attrs.resourceRequest ? attrs.resource : '';
  const qualified = resource && attrs.apiGroup ? `${resource}.${attrs.apiGroup}` : resource;
  if (!qualified) return `forbidden: ${sentence}`;
  if (!attrs.name) return `${qualified} is forbidden: ${sentence}`;
  return `${qualified} ${JSON.stringify(attrs.name)} is forbidden: ${sentence}`;
}

/** The Status error for a denied request: 403 Forbidden with details {name, group, kind}. */
export function forbiddenError(attrs: RequestAttributes, reason: string): ApiError {
  const resource = attrs.resourceRequest ? attrs.resource : '';
  return new ApiError(403, 'Forbidden', forbiddenMessage(attrs, reason), {
    name: attrs.name,
    group: attrs.resourceRequest ? attrs.apiGroup : '',
    kind: resource,
  });
}
