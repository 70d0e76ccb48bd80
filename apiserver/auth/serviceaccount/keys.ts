/**
 * The keys of service-account tokens: one private key signs (--service-account-signing-key-file),
 * any number of public keys verify (--service-account-key-file: public keys, private keys
 * or certificates, several PEM blocks per file allowed). EC P-256/P-384/P-521 or RSA.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export type JwsAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

export interface VerificationKey {
  key: KeyObject;
  alg: JwsAlgorithm;
  /** The JWS "kid": a hash of the public key, so a verifier finds its key without trying all. */
  kid: string;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

export interface ServiceAccountKeys {
  issuer: string;
  /** The apiserver's audiences (--api-audiences): tokens request them by default and must name one of them. */
  audiences: string[];
  signing: SigningKey;
  /** Includes the signing key's public half. */
  verification: VerificationKey[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The algorithm a key signs with, or an error naming what is not supported. */
export function algorithmFor(key: KeyObject): JwsAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    throw new Error(`unsupported EC curve ${curve ?? '(unknown)'} for service-account tokens: use P-256, P-384 or P-521`);
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? '(unknown)'} for service-account tokens: use an EC or RSA key`);
}

/** Kubernetes-style key id: the unpadded base64url SHA-256 of the DER public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

function verificationKey(publicKey: KeyObject): VerificationKey {
  return { key: publicKey, alg: algorithmFor(publicKey), kid: keyIdOf(publicKey) };
}

/** Every public key in a PEM text: from PUBLIC KEY, RSA PUBLIC KEY, CERTIFICATE and private-key blocks. */
export function publicKeysFromPem(pem: string, what: string): VerificationKey[] {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const keys: VerificationKey[] = [];
  for (const [block, label] of blocks) {
    if (label === 'CERTIFICATE REQUEST' || label === 'X509 CRL') continue;
    try {
      keys.push(verificationKey(createPublicKey(block)));
    } catch (err) {
      throw new Error(`${what}: a ${label} block holds no usable public key: ${(err as Error).message}`);
    }
  }
  if (keys.length === 0) throw new Error(`${what}: no public key, private key or certificate found`);
  return keys;
}

export function signingKeyFromPem(pem: string, what: string): SigningKey {
  const block = [...pem.matchAll(PEM_BLOCK)].find(([, label]) => /PRIVATE KEY$/.test(label!));
  if (!block) throw new Error(`${what}: no private key found`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(block[0]);
  } catch (err) {
    throw new Error(`${what}: the private key cannot be read: ${(err as Error).message}`);
  }
  return { ...verificationKey(createPublicKey(privateKey)), privateKey };
}

/** Builds the key set from PEM texts (what loadServiceAccountKeys reads from files). */
export function serviceAccountKeysFromPem(opts: { signingKeyPem: string; publicKeyPems: string[]; issuer: string; audiences?: string[] }): ServiceAccountKeys {
  if (!opts.issuer) throw new Error('a service-account issuer is required (--service-account-issuer)');
  const signing = signingKeyFromPem(opts.signingKeyPem, 'service-account signing key');
  const verification: VerificationKey[] = [{ key: signing.key, alg: signing.alg, kid: signing.kid }];
  opts.publicKeyPems.forEach((pem, i) => {
    for (const k of publicKeysFromPem(pem, `service-account key #${i + 1}`)) {
      if (!verification.some((v) => v.kid === k.kid)) verification.push(k);
    }
  });
  // As kube-apiserver: without --api-audiences the issuer is the one audience.
  const audiences = opts.audiences?.length ? [...opts.audiences] : [opts.issuer];
  return { issuer: opts.issuer, audiences, signing, verification };
}

export async function loadServiceAccountKeys(opts: {
  signingKeyFile: string;
  publicKeyFiles: string[];
  issuer: string;
  audiences?: string[];
}): Promise<ServiceAccountKeys> {
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const signingKeyPem = await read(opts.signingKeyFile, '--service-account-signing-key-file');
  const publicKeyPems = await Promise.all(opts.publicKeyFiles.map((f) => read(f, '--service-account-key-file')));
  return serviceAccountKeysFromPem({ signingKeyPem, publicKeyPems, issuer: opts.issuer, audiences: opts.audiences });
}
