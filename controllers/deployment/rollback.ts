/**
 * The legacy rollback (pkg/controller/deployment/rollback.go): a Deployment annotated
 * with `deprecated.deployment.rollback.to: <revision>` (0 = the previous revision) gets
 * that revision's pod template back, and the annotation is removed. Today's
 * `kubectl rollout undo` does the same client-side, by patching spec.template; the
 * controller then simply sees a template that matches an old ReplicaSet, which becomes
 * the new one again with the next revision number.
 */
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import type { DeploymentEnv } from './env.js';
import { allOf, getAllReplicaSetsAndSyncRevision } from './sync.js';
import { ROLLBACK_TO_ANNOTATION, lastRevision, revisionOf, rollbackRequest, setDeploymentAnnotationsTo } from './util/annotations.js';
import { POD_TEMPLATE_HASH_LABEL, equalIgnoreHash } from './util/replicasets.js';

export async function rollback(env: DeploymentEnv, d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
  const allRSs = allOf(await getAllReplicaSetsAndSyncRevision(env, d, rsList, true));
  let revision = rollbackRequest(d) ?? 0;
  if (revision === 0) {
    revision = lastRevision(allRSs);
    if (revision === 0) {
      env.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find last revision.');
      await clearRollbackTo(env, d);
      return {};
    }
  }
  const target = allRSs.find((rs) => revisionOf(rs) === revision);
  if (!target) {
    env.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find the revision to rollback to.');
    await clearRollbackTo(env, d);
    return {};
  }
  if (equalIgnoreHash(d.spec.template, target.spec.template)) {
    const msg = `The rollback revision contains the same template as current deployment "${d.metadata.name}"`;
    env.event(d, 'Warning', 'DeploymentRollbackTemplateUnchanged', msg);
    await clearRollbackTo(env, d);
    return {};
  }
  setFromReplicaSetTemplate(d, target);
  setDeploymentAnnotationsTo(d, target);
  await clearRollbackTo(env, d);
  env.event(d, 'Normal', 'DeploymentRollback', `Rolled back deployment "${d.metadata.name}" to revision ${revision}`);
  return {};
}

/** The ReplicaSet's template without its pod-template-hash label. */
function setFromReplicaSetTemplate(d: Deployment, rs: ReplicaSet): void {
  const template = structuredClone(rs.spec.template);
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  template.metadata = { ...template.metadata, labels };
  d.spec.template = template;
}

async function clearRollbackTo(env: DeploymentEnv, d: Deployment): Promise<void> {
  if (d.metadata.annotations) delete d.metadata.annotations[ROLLBACK_TO_ANNOTATION];
  const updated = await env.updateDeployment(d);
  d.metadata.resourceVersion = updated.metadata.resourceVersion;
}
