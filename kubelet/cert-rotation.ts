/**
 * Certificate rotation as the kubelet's certificate manager does it
 * (k8s.io/client-go/util/certificate): a certificate is renewed at a jittered 70–90% of
 * its validity (notBefore → notAfter), so that a fleet of nodes issued at once does not
 * renew at once and a renewal that fails has the remaining 10–30% to be retried in. The
 * manager only schedules: `renew` makes the new key and gets it signed (a CSR), `install`
 * stores it and puts it to use; a failure is retried with exponential back-off.
 */
import type { Logger } from 'pino';
import { isApiError } from '../api/meta/errors.js';
import { parseCertificate } from '../api/pki/index.js';
import type { CertificatePair } from './serving-certificate.js';

export interface RotationClock {
  now(): number;
  /** Resolves after ms, or early (without throwing) when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** setTimeout fires at once beyond 2^31-1 ms (~24.8 days): longer sleeps are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: RotationClock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    const until = Date.now() + ms;
    while (!signal.aborted) {
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, MAX_TIMER_MS));
        signal.addEventListener('abort', done, { once: true });
      });
    }
  },
};

/** The share of the validity after which a certificate is renewed: 70% plus up to 20% of jitter. */
export const ROTATION_MIN_FRACTION = 0.7;
export const ROTATION_JITTER_FRACTION = 0.2;

/** When to renew a certificate valid from notBefore to notAfter; `random` returns [0, 1). */
export function rotationDeadline(notBefore: Date, notAfter: Date, random: () => number = Math.random): Date {
  const total = notAfter.getTime() - notBefore.getTime();
  const fraction = ROTATION_MIN_FRACTION + ROTATION_JITTER_FRACTION * random();
  return new Date(notBefore.getTime() + Math.floor(total * fraction));
}

export interface RotationBackoff {
  initialMs: number;
  maxMs: number;
}

/** The certificate manager's retry schedule: from 2 s, doubling, at most 5 minutes apart. */
export const DEFAULT_ROTATION_BACKOFF: RotationBackoff = { initialMs: 2_000, maxMs: 5 * 60_000 };

export interface CertificateRotationOptions {
  /** What is rotated, for the logs ("client" or "serving"). */
  name: string;
  /** The certificate in use now. */
  initial: CertificatePair;
  /** Makes a new key and obtains its certificate; throws when that fails. */
  renew(signal: AbortSignal): Promise<CertificatePair>;
  /** Stores the new pair and starts using it. */
  install(pair: CertificatePair): void | Promise<void>;
  logger: Logger;
  clock?: RotationClock;
  random?: () => number;
  backoff?: RotationBackoff;
  /**
   * Called (and rotation stops) when a renewal fails with 401 after the current certificate
   * has expired: it can never succeed again. The kubelet exits then, as Kubernetes' does,
   * so that its restart bootstraps anew with --bootstrap-kubeconfig.
   */
  onExpired?(): void;
}

export class CertificateRotationManager {
  private pair: CertificatePair;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly clock: RotationClock;
  private readonly log: Logger;
  /** Successful rotations so far. */
  rotations = 0;

  constructor(private readonly o: CertificateRotationOptions) {
    this.pair = o.initial;
    this.clock = o.clock ?? realClock;
    this.log = o.logger.child({ certificate: o.name });
  }

  current(): CertificatePair {
    return this.pair;
  }

  /** When the current certificate is due for renewal (a new jitter each call). */
  nextDeadline(): Date {
    const c = parseCertificate(this.pair.cert);
    return rotationDeadline(c.notBefore, c.notAfter, this.o.random);
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    // A signer issuing certificates already due for renewal must not get a CSR in a tight loop.
    let minWaitMs = 0;
    while (!signal.aborted) {
      const deadline = this.nextDeadline();
      const expiration = parseCertificate(this.pair.cert).notAfter;
      this.log.info({ expiration: expiration.toISOString(), rotationDeadline: deadline.toISOString() }, 'waiting for the certificate rotation deadline');
      await this.clock.sleep(Math.max(minWaitMs, deadline.getTime() - this.clock.now()), signal);
      minWaitMs = (this.o.backoff ?? DEFAULT_ROTATION_BACKOFF).initialMs;
      if (signal.aborted) return;
      await this.rotateWithRetries(signal);
    }
  }

  private async rotateWithRetries(signal: AbortSignal): Promise<void> {
    const backoff = this.o.backoff ?? DEFAULT_ROTATION_BACKOFF;
    let delay = backoff.initialMs;
    while (!signal.aborted) {
      try {
        const pair = await this.o.renew(signal);
        const issued = parseCertificate(pair.cert);
        await this.o.install(pair);
        this.pair = pair;
        this.rotations++;
        this.log.info({ expiration: issued.notAfter.toISOString() }, 'rotated the certificate');
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (this.o.onExpired && isApiError(err, 'Unauthorized') && this.clock.now() >= parseCertificate(this.pair.cert).notAfter.getTime()) {
          this.log.error('the certificate has expired and the apiserver refuses it: cannot renew it any more');
          this.o.onExpired();
          return;
        }
        this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'certificate rotation failed; retrying');
        await this.clock.sleep(delay, signal);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
  }
}
