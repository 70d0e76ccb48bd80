/**
 * The Node authorizer (authorization mode Node): what a kubelet, identified as user
 * system:node:<name> in group system:nodes, may do. Secrets, configmaps, persistent
 * volume claims and service-account tokens only when a pod bound to that node references
 * them (the graph of node-graph.ts); its own Lease in kube-node-lease; and the fixed
 * kubelet permissions of Kubernetes' node policy for everything else. Which Node object and
 * which pods a node may write is checked after this by NodeRestriction admission.
 */
import { pods } from '../../../api/registry.js';
import type { PolicyRule } from '../../../api/types/rbac.js';
import type { AuthorizationResult, Authorizer, RequestAttributes, UserInfo } from '../types.js';
import { CacheView } from './cache-view.js';
import { NodeGraph, type ReferencedKind } from './node-graph.js';
import type { PolicySource } from './rbac-authorizer.js';
import { rulesAllow } from './rbac-rules.js';
import type { RuleResolver, UserRules } from './rules.js';

export const NODES_GROUP = 'system:nodes';
const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, when it is one: `{ isNode, name }` (name '' if the user name is malformed). */
export function nodeIdentity(user: UserInfo): { isNode: boolean; name: string } {
  if (!user.groups.includes(NODES_GROUP)) return { isNode: false, name: '' };
  if (!user.name.startsWith(NODE_USER_PREFIX)) return { isNode: true, name: '' };
  return { isNode: true, name: user.name.slice(NODE_USER_PREFIX.length) };
}

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const READ = ['get', 'list', 'watch'];

/** What every kubelet may do beyond the graph-checked kinds (Kubernetes' NodeRules, for the types tkube serves). */
export const NODE_RULES: readonly PolicyRule[] = [
  rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  rule(['update', 'patch'], [''], ['nodes/status']),
  rule(['update', 'patch'], [''], ['nodes']),
  rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
  rule(READ, [''], ['pods']),
  rule(['create', 'delete'], [''], ['pods']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(READ, [''], ['services']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
];

const GRAPH_KINDS: ReadonlySet<string> = new Set(['secrets', 'configmaps', 'persistentvolumeclaims']);

export class NodeAuthorizer implements Authorizer, RuleResolver {
  private readonly graph = new NodeGraph();
  private readonly view: CacheView;

  constructor(src: PolicySource) {
    this.view = new CacheView(src.storeFor(pods).cache, { reset: (items) => this.graph.reset(items), apply: (ev) => this.graph.apply(ev) });
  }

  async authorize(attrs: RequestAttributes): Promise<AuthorizationResult> {
    const { isNode, name: node } = nodeIdentity(attrs.user);
    if (!isNode) return noOpinion('');
    if (!node) return noOpinion(`unknown node for user ${JSON.stringify(attrs.user.name)}`);
    if (attrs.resourceRequest) {
      if (attrs.apiGroup === '' && GRAPH_KINDS.has(attrs.resource)) return this.authorizeReadOnly(node, attrs.resource as ReferencedKind, attrs);
      if (attrs.apiGroup === '' && attrs.resource === 'serviceaccounts') return this.authorizeToken(node, attrs);
      if (attrs.apiGroup === 'coordination.k8s.io' && attrs.resource === 'leases') return authorizeLease(node, attrs);
    }
    return rulesAllow(attrs, NODE_RULES) ? { decision: 'Allow', reason: '' } : noOpinion('');
  }

  /** Kubernetes' Node authorizer cannot enumerate its graph-dependent rules. */
  async rulesFor(user: UserInfo): Promise<UserRules> {
    const { isNode } = nodeIdentity(user);
    if (!isNode) return { resourceRules: [], nonResourceRules: [], incomplete: false };
    return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'node authorizer does not support user rule resolution' };
  }

  private async authorizeReadOnly(node: string, kind: ReferencedKind, attrs: RequestAttributes): Promise<AuthorizationResult> {
    if (attrs.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (attrs.subresource) return noOpinion('cannot get subresource');
    return this.related(node, kind, attrs);
  }

  private async authorizeToken(node: string, attrs: RequestAttributes): Promise<AuthorizationResult> {
    if (attrs.verb !== 'create' || !attrs.name) return noOpinion('can only create tokens for individual service accounts');
    if (attrs.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    return this.related(node, 'serviceaccounts', attrs);
  }

  private async related(node: string, kind: ReferencedKind, attrs: RequestAttributes): Promise<AuthorizationResult> {
    await this.view.ready();
    if (attrs.name && this.graph.references(node, kind, attrs.namespace, attrs.name)) return { decision: 'Allow', reason: '' };
    return noOpinion(`no relationship found between node '${node}' and this object`);
  }
}

/** A node's own Lease in kube-node-lease (the name of a create is checked by NodeRestriction). */
function authorizeLease(node: string, attrs: RequestAttributes): AuthorizationResult {
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(attrs.verb)) {
    return noOpinion('can only get, create, update, patch, or delete a node lease');
  }
  if (attrs.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the ${JSON.stringify(NODE_LEASE_NAMESPACE)} system namespace`);
  if (attrs.verb !== 'create' && attrs.name !== node) return noOpinion('can only access node lease with the same name as the requesting node');
  return { decision: 'Allow', reason: '' };
}

function noOpinion(reason: string): AuthorizationResult {
  return { decision: 'NoOpinion', reason };
}
