/**
 * Authorization for the apiserver: the modes of --authorization-mode (AlwaysAllow,
 * AlwaysDeny, Node, RBAC) combined as Kubernetes combines them, the bootstrap RBAC
 * policy, NodeRestriction admission, and the 403 wording. RBAC escalation prevention (the
 * admission plugin in ../admission/rbac-escalation.ts) is installed beside NodeRestriction.
 */
import type { Logger } from 'pino';
import type { Authorizer, ValidatingAdmission } from '../types.js';
import { nodeRestriction as nodeRestrictionPlugin } from '../admission/node-restriction.js';
import { ensureBootstrapPolicy as reconcileBootstrapPolicy } from './ensure-bootstrap.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { RbacAuthorizer, type PolicySource } from './rbac-authorizer.js';
import type { RuleResolver } from './rules.js';
import { UnionAuthorizer, alwaysAllow, alwaysDeny } from './union.js';

export type AuthorizationMode = 'AlwaysAllow' | 'AlwaysDeny' | 'Node' | 'RBAC';
export const AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC'];

export type { PolicySource, RbacAuthorizer } from './rbac-authorizer.js';
export type { RuleResolver, UserRules } from './rules.js';
export { isRuleResolver } from './rules.js';
export { forbiddenError, forbiddenMessage } from './forbidden.js';
export { requestAttributes } from './request-attributes.js';
export { PRIVILEGED_GROUP } from './union.js';

export type ModeAuthorizer = Authorizer & RuleResolver & {
  /** The RBAC member, when RBAC is one of the modes (its policy index serves the escalation check). */
  readonly rbac?: RbacAuthorizer;
};

/** The authorizer for the given modes, asked in order; members of system:masters are always allowed. */
export function createAuthorizer(modes: AuthorizationMode[], src: PolicySource, log: Logger): ModeAuthorizer {
  const members = modes.map((mode) => {
    switch (mode) {
      case 'AlwaysAllow':
        return alwaysAllow;
      case 'AlwaysDeny':
        return alwaysDeny;
      case 'Node':
        return new NodeAuthorizer(src);
      case 'RBAC':
        return new RbacAuthorizer(src);
      default:
        throw new Error(`unknown authorization mode ${JSON.stringify(mode)}: use ${AUTHORIZATION_MODES.join(', ')}`);
    }
  });
  log.info({ modes }, 'authorization modes');
  const rbac = members.find((m): m is RbacAuthorizer => m instanceof RbacAuthorizer);
  return Object.assign(new UnionAuthorizer(members), rbac ? { rbac } : {});
}

/** Creates or reconciles the bootstrap ClusterRoles and ClusterRoleBindings (call once the stores are up). */
export async function ensureBootstrapPolicy(src: PolicySource, log: Logger): Promise<void> {
  await reconcileBootstrapPolicy(src, log);
}

/** NodeRestriction admission: give it to the stores as a validating admission plugin. */
export function nodeRestriction(src: PolicySource): ValidatingAdmission {
  return nodeRestrictionPlugin(src);
}
