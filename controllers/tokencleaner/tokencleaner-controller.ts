/**
 * The tokencleaner controller: deletes bootstrap-token Secrets (kube-system, type
 * bootstrap.kubernetes.io/token) once their expiration has passed, and comes back to a
 * live one at the moment it expires. The delete carries a uid precondition, so a Secret
 * re-created under the same name meanwhile is left alone.
 *
 * kube-controller-manager has it off by default and kubeadm turns it on; tkube issues
 * bootstrap tokens itself (`tkube init`, `tkube token create`), so it is on by default.
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { secrets } from '../../api/registry.js';
import type { Secret } from '../../api/types/config.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, isBootstrapTokenSecret, TOKEN_SECRET_NAMESPACE, tokenExpiry } from '../../api/bootstrap/token-secret.js';

export const NAME = 'tokencleaner';

/** What a reconcile needs: the cached Secret, and a delete guarded by its uid. */
export interface TokenSecrets {
  get(name: string): Secret | undefined;
  /** Deletes the Secret if it still has this uid; a missing or replaced Secret is not an error. */
  delete(name: string, uid: string | undefined): Promise<void>;
}

/** Deletes the Secret `name` if it is an expired bootstrap token; otherwise asks to be back when it expires. */
export async function cleanTokenSecret(src: TokenSecrets, name: string, now: Date, log?: Logger): Promise<ReconcileResult | void> {
  const secret = src.get(name);
  if (!secret || !isBootstrapTokenSecret(secret) || secret.metadata.deletionTimestamp) return;
  const expiry = tokenExpiry(secret, now);
  if (expiry.expired) {
    await src.delete(name, secret.metadata.uid);
    log?.info({ secret: `${TOKEN_SECRET_NAMESPACE}/${name}` }, 'deleted expired bootstrap token');
    return;
  }
  if (expiry.ttlMs !== undefined) return { requeueAfter: expiry.ttlMs };
}

/** TokenSecrets over an informer's cache and the API. */
export function apiTokenSecrets(client: KubeClient, lookup: (name: string) => Secret | undefined): TokenSecrets {
  return {
    get: lookup,
    async delete(name, uid) {
      try {
        await client.resource(secrets, TOKEN_SECRET_NAMESPACE).delete(name, uid ? { preconditions: { uid } } : {});
      } catch (err) {
        // NotFound: already gone. Conflict: the uid precondition failed, it is another Secret now.
        if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return;
        throw err;
      }
    },
  };
}

export interface TokenCleanerOptions {
  now(): Date;
}

export class TokenCleaner implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly log: Logger;
  private readonly informer: SharedInformer<Secret>;
  private readonly tokens: TokenSecrets;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: TokenCleanerOptions = { now: () => new Date() },
  ) {
    this.log = deps.logger.child({ controller: NAME });
    // The apiserver selects Secrets by type; the reconcile checks the type again all the same.
    this.informer = deps.informers.informerFor(secrets, { namespace: TOKEN_SECRET_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    const enqueue = (s: Secret) => {
      if (s.metadata.name) this.queue.add(s.metadata.name);
    };
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, s) => enqueue(s) });
    this.tokens = apiTokenSecrets(deps.client, (name) => this.informer.store.getByName(TOKEN_SECRET_NAMESPACE, name));
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    await runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (key) => this.reconcile(key) }).done;
  }

  /** The key is the Secret's name (they all live in kube-system). */
  reconcile(name: string): Promise<ReconcileResult | void> {
    return cleanTokenSecret(this.tokens, name, this.opts.now(), this.log);
  }
}

export const tokenCleanerController: ControllerFactory = (deps) => new TokenCleaner(deps);
