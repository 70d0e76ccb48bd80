/**
 * The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets, in
 * its stored `rules`, the union of the rules of the ClusterRoles its selectors match
 * (aggregate-rules.ts). Any ClusterRole change may alter any aggregated role, so every
 * event enqueues every aggregated role, as Kubernetes does; a reconcile writes only when
 * the rules differ, so our own updates settle instead of looping.
 *
 * The apiserver's RBAC authorizer resolves aggregation by itself; this controller makes
 * the stored objects say the same (`kubectl describe clusterrole admin`).
 */
import type { Logger } from 'pino';
import type { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { clusterRoles } from '../../api/registry.js';
import type { ClusterRole } from '../../api/types/rbac.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { aggregatedRules, isAggregated, sameRules } from './aggregate-rules.js';

export const NAME = 'clusterrole-aggregation';

export class ClusterRoleAggregationController implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly log: Logger;
  private readonly informer: SharedInformer<ClusterRole>;

  constructor(private readonly deps: ControllerDeps) {
    this.log = deps.logger.child({ controller: NAME });
    this.informer = deps.informers.informerFor(clusterRoles);
    const enqueueAll = () => this.enqueueAggregated();
    this.informer.addEventHandler({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  }

  private enqueueAggregated(): void {
    for (const role of this.informer.store.list()) if (isAggregated(role) && role.metadata.name) this.queue.add(role.metadata.name);
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    await runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (key) => this.reconcile(key) }).done;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const role = this.informer.store.getByName(undefined, name);
    if (!role || !isAggregated(role)) return;
    const rules = aggregatedRules(role, this.informer.store.list());
    if (sameRules(rules, role.rules)) return;
    try {
      // Update against the cached resourceVersion: a Conflict means our cache lags, and the
      // retry (after the informer caught up) computes from fresher state.
      await this.deps.client.resource(clusterRoles).update({ ...role, rules });
      this.log.info({ clusterRole: name, rules: rules.length }, 'aggregated cluster role rules');
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      if (isApiError(err, 'Conflict')) return { requeue: true };
      throw err;
    }
  }
}

export const clusterRoleAggregationController: ControllerFactory = (deps) => new ClusterRoleAggregationController(deps);
