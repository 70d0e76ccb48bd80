/**
 * Private keys as PEM and their WebCrypto forms. New keys are ECDSA P-256 (fast to make,
 * accepted by Go's TLS and so by kubectl); existing RSA or EC keys in PKCS#1, SEC1 or
 * PKCS#8 PEM are accepted too, e.g. a CA an operator brings.
 */
import { X509Certificate, createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { x509 } from './x509.js';

export type KeyPem = string;

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;

export const EC_P256: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** A key pair ready for @peculiar/x509, and the algorithm to sign with it. */
export interface LoadedKey {
  keys: CryptoKeyPair;
  signingAlgorithm: Algorithm | EcdsaParams;
}

/** A new ECDSA P-256 private key as PKCS#8 PEM. */
export async function generateKey(): Promise<KeyPem> {
  const pair = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const der = await webcrypto.subtle.exportKey('pkcs8', pair.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Imports a PEM private key (RSA or EC P-256/P-384) with its public half. */
export async function loadKey(pem: KeyPem): Promise<LoadedKey> {
  const priv = createPrivateKey(pem);
  const pub = createPublicKey(priv);
  const { importAlg, signingAlgorithm } = algorithmsFor(priv);
  const pkcs8 = priv.export({ type: 'pkcs8', format: 'der' });
  const spki = pub.export({ type: 'spki', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlg, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, importAlg, true, ['verify']);
  return { keys: { privateKey, publicKey } as CryptoKeyPair, signingAlgorithm };
}

/** The public half of a PEM private key, as SPKI PEM. */
export function publicKeyPemOf(pem: KeyPem): string {
  return createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' }).toString();
}

function algorithmsFor(key: KeyObject): { importAlg: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams; signingAlgorithm: Algorithm | EcdsaParams } {
  if (key.asymmetricKeyType === 'rsa') {
    return { importAlg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return { importAlg: EC_P256, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams };
    if (curve === 'secp384r1' || curve === 'P-384') return { importAlg: { name: 'ECDSA', namedCurve: 'P-384' }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams };
    throw new Error(`unsupported EC curve ${curve ?? '(unknown)'}: use P-256 or P-384`);
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}: use RSA or ECDSA`);
}

/** Whether the private key (PEM) is the one the certificate (PEM) was issued for. */
export function keyMatchesCertificate(pair: { cert: string; key: string }): boolean {
  try {
    return new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key));
  } catch {
    return false;
  }
}
