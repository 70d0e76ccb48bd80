/**
 * The csrsigning controller: signs approved requests of the built-in signers
 * (kubernetes.io/kube-apiserver-client, kube-apiserver-client-kubelet, kubelet-serving)
 * with the cluster CA from --cluster-signing-cert-file/--cluster-signing-key-file, writing
 * the certificate to status.certificate; a request its signer may not sign gets a Failed
 * condition instead. Without signing files the controller does not run (as in Kubernetes,
 * where it is skipped when the CA files are absent).
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { SharedInformer } from '../../api/informer/informer.js';
import type { CertAndKey } from '../../api/pki/index.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { certificateSigningRequests } from '../../api/registry.js';
import { type CertificateSigningRequest, isApproved, isDenied, isFailed } from '../../api/types/certificates.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { failCsr, issueCertificate } from './csr-writes.js';
import { SERVED_SIGNERS } from './csr-rules.js';
import { signRequest } from './signing.js';

export const NAME = 'csrsigning';

/** kube-controller-manager's --cluster-signing-duration default: one year. */
export const DEFAULT_SIGNING_DURATION_MS = 365 * 86_400_000;

export interface CsrSigningOptions {
  /** --cluster-signing-cert-file and --cluster-signing-key-file */
  certFile?: string;
  keyFile?: string;
  /** --cluster-signing-duration */
  durationMs?: number;
}

function needsSigning(csr: CertificateSigningRequest): boolean {
  return csr.spec.signerName in SERVED_SIGNERS && isApproved(csr) && !isDenied(csr) && !isFailed(csr) && !csr.status?.certificate;
}

export class CsrSigningController implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly csrs: SharedInformer<CertificateSigningRequest>;
  private readonly log: Logger;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly ca: CertAndKey,
    private readonly maxDurationMs: number = DEFAULT_SIGNING_DURATION_MS,
  ) {
    this.log = deps.logger.child({ controller: NAME });
    this.csrs = deps.informers.informerFor(certificateSigningRequests);
    const enqueue = (csr: CertificateSigningRequest) => {
      if (needsSigning(csr)) this.queue.add(csr.metadata.name!);
    };
    this.csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, csr) => enqueue(csr) });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    await runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (key) => this.reconcile(key) }).done;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const csr = this.csrs.store.getByName(undefined, name);
    if (!csr || !needsSigning(csr)) return;
    const outcome = await signRequest(this.ca, csr, this.maxDurationMs);
    if ('failed' in outcome) {
      await failCsr(this.deps.client, csr, 'SignerValidationFailure', outcome.failed);
      this.log.info({ csr: name, why: outcome.failed }, 'refused to sign certificate signing request');
      return;
    }
    await issueCertificate(this.deps.client, csr, outcome.certificate);
    this.log.info({ csr: name, signer: csr.spec.signerName, requester: csr.spec.username }, 'signed certificate signing request');
  }
}

/** Waits for the signal: what csrsigning does when it has no CA to sign with. */
class DisabledController implements Controller {
  readonly name = NAME;
  constructor(private readonly log: Logger) {}
  async run(signal: AbortSignal): Promise<void> {
    this.log.info('no --cluster-signing-cert-file/--cluster-signing-key-file: not signing certificate requests');
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}

export function csrSigningControllerFactory(opts: CsrSigningOptions = {}): ControllerFactory {
  return (deps) => {
    if (!opts.certFile || !opts.keyFile) return new DisabledController(deps.logger.child({ controller: NAME }));
    const ca = { cert: readFileSync(opts.certFile, 'utf8'), key: readFileSync(opts.keyFile, 'utf8') };
    return new CsrSigningController(deps, ca, opts.durationMs ?? DEFAULT_SIGNING_DURATION_MS);
  };
}

export const csrSigningController: ControllerFactory = csrSigningControllerFactory();
