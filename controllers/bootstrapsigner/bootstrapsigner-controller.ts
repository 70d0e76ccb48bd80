/**
 * The bootstrapsigner controller (Kubernetes' bootstrap signer): keeps the
 * `jws-kubeconfig-<token-id>` signatures of kube-public/cluster-info in step with the
 * bootstrap tokens. On any change to cluster-info or to a bootstrap-token Secret it signs
 * the ConfigMap's current `kubeconfig` with every token that may sign (see
 * signing-tokens.ts), drops the signatures of tokens that are gone, expired or no longer
 * signing, and updates the ConfigMap only when its data changed, so its own write ends
 * the loop. It never creates cluster-info (`tkube init` does), and comes back when the
 * first signing token expires, so the signature goes even if the tokencleaner is off.
 *
 * kube-controller-manager has it off by default and kubeadm turns it on; tkube issues
 * bootstrap tokens itself, so it is on by default.
 */
import type { Logger } from 'pino';
import {
  CLUSTER_INFO_NAME,
  CLUSTER_INFO_NAMESPACE,
  KUBECONFIG_KEY,
  sameData,
  withSignatures,
} from '../../api/bootstrap/cluster-info-signatures.js';
import type { KubeClient } from '../../api/client/kube-client.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { configMaps, secrets } from '../../api/registry.js';
import type { ConfigMap, Secret } from '../../api/types/config.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, TOKEN_SECRET_NAMESPACE } from '../../api/bootstrap/token-secret.js';
import { signingTokens } from './signing-tokens.js';

export const NAME = 'bootstrapsigner';
/** The one key of the queue: every event leads to the same reconcile of cluster-info. */
export const CLUSTER_INFO_KEY = `${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME}`;

/** What a reconcile needs: the cached cluster-info and token Secrets, and a guarded update. */
export interface ClusterInfoState {
  clusterInfo(): ConfigMap | undefined;
  tokenSecrets(): Secret[];
  /**
   * Writes the ConfigMap against its resourceVersion. Resolves 'conflict' when that version
   * is stale (the cache lags) and 'gone' when the ConfigMap was deleted meanwhile.
   */
  update(cm: ConfigMap): Promise<'updated' | 'conflict' | 'gone'>;
}

/** Brings cluster-info's signatures in line with the signing tokens at `now`. */
export async function signClusterInfo(state: ClusterInfoState, now: Date, log?: Logger): Promise<ReconcileResult | void> {
  const cm = state.clusterInfo();
  if (!cm || cm.metadata.deletionTimestamp) return;
  const data = cm.data ?? {};
  if (data[KUBECONFIG_KEY] === undefined) {
    log?.debug({ configMap: CLUSTER_INFO_KEY }, 'cluster-info has no kubeconfig to sign');
    return;
  }
  const { tokens, nextExpiryMs } = signingTokens(state.tokenSecrets(), now);
  const desired = withSignatures(data, tokens);
  if (!sameData(desired, data)) {
    const outcome = await state.update({ ...cm, data: desired });
    if (outcome === 'gone') return;
    // Recomputed from the fresher cache the next time round.
    if (outcome === 'conflict') return { requeue: true };
    log?.info({ configMap: CLUSTER_INFO_KEY, tokens: tokens.map((t) => t.id) }, 'signed cluster-info');
  }
  if (nextExpiryMs !== undefined) return { requeueAfter: nextExpiryMs };
}

/** ClusterInfoState over informer caches and the API. */
export function apiClusterInfoState(
  client: KubeClient,
  caches: { clusterInfo(): ConfigMap | undefined; tokenSecrets(): Secret[] },
): ClusterInfoState {
  return {
    ...caches,
    async update(cm) {
      try {
        await client.resource(configMaps, CLUSTER_INFO_NAMESPACE).update(cm);
        return 'updated';
      } catch (err) {
        if (isApiError(err, 'NotFound')) return 'gone';
        if (isApiError(err, 'Conflict')) return 'conflict';
        throw err;
      }
    },
  };
}

export interface BootstrapSignerOptions {
  now(): Date;
}

export class BootstrapSigner implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly log: Logger;
  private readonly cmInformer: SharedInformer<ConfigMap>;
  private readonly secretInformer: SharedInformer<Secret>;
  private readonly state: ClusterInfoState;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: BootstrapSignerOptions = { now: () => new Date() },
  ) {
    this.log = deps.logger.child({ controller: NAME });
    this.cmInformer = deps.informers.informerFor(configMaps, { namespace: CLUSTER_INFO_NAMESPACE, fieldSelector: `metadata.name=${CLUSTER_INFO_NAME}` });
    // The same scope as the tokencleaner's, so the controller-manager shares one watch.
    this.secretInformer = deps.informers.informerFor(secrets, { namespace: TOKEN_SECRET_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    const poke = () => this.queue.add(CLUSTER_INFO_KEY);
    // A deleted cluster-info needs nothing (it is not re-created); a deleted token loses its signature.
    this.cmInformer.addEventHandler({ onAdd: poke, onUpdate: poke });
    this.secretInformer.addEventHandler({ onAdd: poke, onUpdate: poke, onDelete: poke });
    this.state = apiClusterInfoState(deps.client, {
      clusterInfo: () => this.cmInformer.store.getByName(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_NAME),
      tokenSecrets: () => this.secretInformer.store.list(),
    });
  }

  async run(signal: AbortSignal, _workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    // One key: more than one worker would only wait on it.
    await runController({ name: NAME, queue: this.queue, workers: 1, logger: this.deps.logger, signal, reconcile: () => this.reconcile() }).done;
  }

  reconcile(): Promise<ReconcileResult | void> {
    return signClusterInfo(this.state, this.opts.now(), this.log);
  }
}

export const bootstrapSignerController: ControllerFactory = (deps) => new BootstrapSigner(deps);
