/**
 * The kubelet's current serving certificate: fixed (--tls-cert-file) or obtained later
 * through a kubelet-serving CSR. The HTTPS server takes the new one when it changes; until
 * there is one, TLS handshakes fail (as the kubelet's do before its certificate is issued).
 */
export interface CertificatePair {
  cert: string;
  key: string;
}

export class ServingCertificate {
  private pair: CertificatePair | undefined;
  private readonly listeners: Array<(pair: CertificatePair) => void> = [];

  constructor(initial?: CertificatePair) {
    this.pair = initial;
  }

  current(): CertificatePair | undefined {
    return this.pair;
  }

  set(pair: CertificatePair): void {
    this.pair = pair;
    for (const l of this.listeners) l(pair);
  }

  onChange(listener: (pair: CertificatePair) => void): void {
    this.listeners.push(listener);
  }
}
