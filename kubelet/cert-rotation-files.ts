/**
 * The kubelet's certificate files in --cert-dir (kubelet-client.crt/.key,
 * kubelet-serving.crt/.key). Kubernetes' kubelet keeps each pair in one PEM file behind a
 * kubelet-*-current.pem symlink; tkube keeps its separate .crt/.key files (which its
 * kubeconfigs point at) and replaces each with rename(2), so a reader never sees a half
 * written file. A crash between the two renames leaves a key that does not match its
 * certificate: readCertificatePair treats such a pair as absent, and the kubelet then
 * bootstraps or renews again.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { keyMatchesCertificate } from '../api/pki/index.js';
import type { CertificatePair } from './serving-certificate.js';

export { keyMatchesCertificate };

function writeAtomically(path: string, data: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tkube-tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data, { mode, flush: true });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Replaces the key (0600) and then the certificate (0600, as the kubelet's files are). */
export function writeCertificatePair(certFile: string, keyFile: string, pair: CertificatePair): void {
  writeAtomically(keyFile, pair.key, 0o600);
  writeAtomically(certFile, pair.cert, 0o600);
}

/** The pair in these files, or undefined when a file is missing or the key does not match. */
export function readCertificatePair(certFile: string, keyFile: string): CertificatePair | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  return keyMatchesCertificate(pair) ? pair : undefined;
}
