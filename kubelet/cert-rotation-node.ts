/**
 * The kubelet's two rotations (--rotate-certificates, --rotate-server-certificates):
 * - client: a CSR for CN=system:node:<name>, O=system:nodes (signer
 *   kube-apiserver-client-kubelet), sent with the current client certificate, so the
 *   approver sees the node renewing itself (certificatesigningrequests/selfnodeclient);
 *   the new pair is written to --cert-dir and the API client's new connections use it.
 * - serving: a kubelet-serving CSR for the node's names and addresses, approved as at
 *   bootstrap; the new pair is written to --cert-dir and the HTTPS server serves it.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import { writeCertificatePair } from './cert-rotation-files.js';
import { CertificateRotationManager, type RotationBackoff, type RotationClock } from './cert-rotation.js';
import type { CertificatePair, ServingCertificate } from './serving-certificate.js';
import {
  CLIENT_CERT_FILE,
  CLIENT_KEY_FILE,
  type CertificateSpec,
  clientCertificateSpec,
  requestCertificate,
  SERVING_CERT_FILE,
  SERVING_KEY_FILE,
  servingCertificateSpec,
} from './tls-bootstrap.js';

interface RotationCommon {
  /** The kubelet's API client: it sends the CSRs (with its current client certificate). */
  client: KubeClient;
  nodeName: string;
  certDir: string;
  logger: Logger;
  /** How long one renewal waits for its CSR to be approved and signed (default 15 minutes). */
  csrTimeoutMs?: number;
  clock?: RotationClock;
  random?: () => number;
  backoff?: RotationBackoff;
}

/** One rotation: renew with a CSR for `spec`, write the pair to `files` in --cert-dir, then `use` it. */
function startRotation(
  o: RotationCommon & { onExpired?(): void },
  what: { name: string; initial: CertificatePair; spec: CertificateSpec; files: [cert: string, key: string]; use(pair: CertificatePair): void },
): CertificateRotationManager {
  return new CertificateRotationManager({
    name: what.name,
    initial: what.initial,
    renew: (signal) => requestCertificate(o.client, { ...what.spec, timeoutMs: o.csrTimeoutMs, signal }, o.logger),
    install: (pair) => {
      writeCertificatePair(join(o.certDir, what.files[0]), join(o.certDir, what.files[1]), pair);
      what.use(pair);
    },
    ...(o.onExpired ? { onExpired: o.onExpired } : {}),
    logger: o.logger,
    clock: o.clock,
    random: o.random,
    backoff: o.backoff,
  }).start();
}

/** Starts rotating the client certificate the client was built with (`initial`). */
export function startClientCertificateRotation(o: RotationCommon & { initial: CertificatePair; onExpired?(): void }): CertificateRotationManager {
  return startRotation(o, {
    name: 'client',
    initial: o.initial,
    spec: clientCertificateSpec(o.nodeName),
    files: [CLIENT_CERT_FILE, CLIENT_KEY_FILE],
    use: (pair) => o.client.setClientCertificate(pair),
  });
}

/** Starts rotating the serving certificate held by `serving` (which must hold one). */
export function startServingCertificateRotation(
  o: RotationCommon & { serving: ServingCertificate; dnsNames: string[]; ipAddresses: string[] },
): CertificateRotationManager {
  const initial = o.serving.current();
  if (!initial) throw new Error('no serving certificate to rotate yet');
  return startRotation(o, {
    name: 'serving',
    initial,
    spec: servingCertificateSpec(o.nodeName, o.dnsNames, o.ipAddresses),
    files: [SERVING_CERT_FILE, SERVING_KEY_FILE],
    use: (pair) => o.serving.set(pair),
  });
}
