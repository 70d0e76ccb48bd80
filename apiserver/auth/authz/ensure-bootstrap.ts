/**
 * Reconciles the bootstrap ClusterRoles and ClusterRoleBindings at apiserver start, as
 * kube-apiserver's RBAC post-start hook does: missing objects are created, missing rules,
 * subjects, labels and annotations are added back, nothing is removed, and an object
 * annotated rbac.authorization.kubernetes.io/autoupdate=false is left as the user made it.
 */
import type { Logger } from 'pino';
import { ApiError } from '../../../api/meta/errors.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { clusterRoleBindings, clusterRoles } from '../../../api/registry.js';
import type { ClusterRole, ClusterRoleBinding } from '../../../api/types/rbac.js';
import type { ResourceStore, WriteContext } from '../../registry/resource-store.js';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from './bootstrap-policy.js';
import type { PolicySource } from './rbac-authorizer.js';
import { ruleCovered } from './rbac-rules.js';

const systemWrite = (): WriteContext => ({ dryRun: false, fieldValidation: 'Strict', warnings: [] });

export async function ensureBootstrapPolicy(src: PolicySource, log: Logger): Promise<void> {
  const roleStore = src.storeFor(clusterRoles);
  for (const want of BOOTSTRAP_CLUSTER_ROLES) {
    await reconcile(roleStore, want as unknown as KubeObject, (have) => mergeRole(have as unknown as ClusterRole, want), log);
  }
  const bindingStore = src.storeFor(clusterRoleBindings);
  for (const want of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) {
    await reconcile(bindingStore, want as unknown as KubeObject, (have) => mergeBinding(have as unknown as ClusterRoleBinding, want), log);
  }
}

type Merge = (have: KubeObject) => { object: KubeObject; recreate?: boolean } | undefined;

async function reconcile(store: ResourceStore, want: KubeObject, merge: Merge, log: Logger): Promise<void> {
  const name = want.metadata.name ?? '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const have = await store.get(undefined, name).catch((err: unknown) => {
      if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
      throw err;
    });
    try {
      if (!have) {
        await store.create(undefined, structuredClone(want), systemWrite());
        log.info({ kind: want.kind, name }, 'created bootstrap RBAC object');
        return;
      }
      if (have.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return;
      const change = merge(structuredClone(have));
      if (!change) return;
      if (change.recreate) {
        await store.delete(undefined, name, { preconditions: { resourceVersion: have.metadata.resourceVersion } }, systemWrite());
        await store.create(undefined, structuredClone(want), systemWrite());
      } else {
        await store.update(undefined, name, change.object, systemWrite());
      }
      log.info({ kind: want.kind, name }, 'reconciled bootstrap RBAC object');
      return;
    } catch (err) {
      // Another apiserver (or a user) wrote in between: look again.
      if (err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'AlreadyExists' || err.reason === 'NotFound')) continue;
      throw err;
    }
  }
  log.warn({ kind: want.kind, name }, 'gave up reconciling bootstrap RBAC object after repeated conflicts');
}

/** Adds the labels and annotations `want` has and `have` lacks; true when something changed. */
function mergeMeta(have: KubeObject, want: KubeObject): boolean {
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const wanted = want.metadata[field] ?? {};
    const current = { ...(have.metadata[field] ?? {}) };
    for (const [k, v] of Object.entries(wanted)) {
      if (current[k] === undefined) {
        current[k] = v;
        changed = true;
      }
    }
    if (changed) have.metadata[field] = current;
  }
  return changed;
}

export function mergeRole(have: ClusterRole, want: ClusterRole): { object: KubeObject } | undefined {
  let changed = mergeMeta(have as unknown as KubeObject, want as unknown as KubeObject);
  const rules = [...(have.rules ?? [])];
  // Aggregated roles get their rules from the roles they select, not from here.
  if (!want.aggregationRule) {
    for (const r of want.rules ?? []) {
      if (!ruleCovered(r, rules)) {
        rules.push(r);
        changed = true;
      }
    }
  }
  if (changed) have.rules = rules;
  if (want.aggregationRule && JSON.stringify(have.aggregationRule) !== JSON.stringify(want.aggregationRule)) {
    have.aggregationRule = want.aggregationRule;
    changed = true;
  }
  return changed ? { object: have as unknown as KubeObject } : undefined;
}

export function mergeBinding(have: ClusterRoleBinding, want: ClusterRoleBinding): { object: KubeObject; recreate?: boolean } | undefined {
  const ref = have.roleRef;
  if (ref.kind !== want.roleRef.kind || ref.name !== want.roleRef.name || ref.apiGroup !== want.roleRef.apiGroup) {
    return { object: want as unknown as KubeObject, recreate: true }; // roleRef is immutable
  }
  let changed = mergeMeta(have as unknown as KubeObject, want as unknown as KubeObject);
  const subjects = [...(have.subjects ?? [])];
  for (const s of want.subjects ?? []) {
    if (!subjects.some((h) => h.kind === s.kind && h.name === s.name && (h.namespace ?? '') === (s.namespace ?? ''))) {
      subjects.push(s);
      changed = true;
    }
  }
  if (changed) have.subjects = subjects;
  return changed ? { object: have as unknown as KubeObject } : undefined;
}
