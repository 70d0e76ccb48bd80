/**
 * Service-account tokens as Kubernetes issues them: a JWS-signed JWT whose registered
 * claims (iss, sub, aud, exp, iat, nbf, jti) are followed by the private "kubernetes.io"
 * claim naming the namespace, the ServiceAccount and the objects the token is bound to.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { ServiceAccountKeys, VerificationKey } from './keys.js';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

/** Clock skew tolerated between the issuer and the verifier (Kubernetes' jwt leeway). */
const CLOCK_LEEWAY_SECONDS = 60;

const ObjectRef = z.object({ name: z.string(), uid: z.string() });
export type ObjectRef = z.infer<typeof ObjectRef>;

export const KubernetesClaims = z.object({
  namespace: z.string().min(1),
  serviceaccount: ObjectRef,
  pod: ObjectRef.optional(),
  secret: ObjectRef.optional(),
  node: ObjectRef.optional(),
});
export type KubernetesClaims = z.infer<typeof KubernetesClaims>;

const TokenClaims = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  iat: z.number(),
  nbf: z.number().optional(),
  jti: z.string().optional(),
  'kubernetes.io': KubernetesClaims,
});
export type ServiceAccountTokenClaims = z.infer<typeof TokenClaims>;

export interface TokenSpec {
  namespace: string;
  serviceAccount: ObjectRef;
  /** The objects the token is bound to: it dies with them. */
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** The node of a bound pod (informational, as Kubernetes adds it). */
  node?: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  now?: Date;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

export async function signServiceAccountToken(keys: ServiceAccountKeys, spec: TokenSpec): Promise<{ token: string; expiresAt: Date }> {
  const nowSec = Math.floor((spec.now ?? new Date()).getTime() / 1000);
  const exp = nowSec + spec.expirationSeconds;
  const kube: KubernetesClaims = { namespace: spec.namespace, serviceaccount: spec.serviceAccount };
  if (spec.pod) kube.pod = spec.pod;
  if (spec.secret) kube.secret = spec.secret;
  if (spec.node) kube.node = spec.node;
  const token = await new SignJWT({ 'kubernetes.io': kube })
    .setProtectedHeader({ alg: keys.signing.alg, kid: keys.signing.kid })
    .setIssuer(keys.issuer)
    .setSubject(serviceAccountUsername(spec.namespace, spec.serviceAccount.name))
    .setAudience(spec.audiences)
    .setIssuedAt(nowSec)
    .setNotBefore(nowSec)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(keys.signing.privateKey);
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Why a token was refused; the message never contains the token. */
export class InvalidTokenError extends Error {}

/**
 * The issuer of a JWT without verifying anything, or undefined when the text is no JWT.
 * Lets an authenticator leave tokens of other issuers (and opaque tokens) to others.
 */
export function unverifiedIssuer(token: string): string | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Keys whose kid matches first, then the others (a kid is a hint, not a promise). */
function candidates(keys: VerificationKey[], kid: string | undefined): VerificationKey[] {
  if (!kid) return keys;
  return [...keys.filter((k) => k.kid === kid), ...keys.filter((k) => k.kid !== kid)];
}

function headerKid(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies signature, issuer, audience (one of `audiences`) and lifetime; returns the claims. */
export async function verifyServiceAccountToken(
  keys: ServiceAccountKeys,
  token: string,
  audiences: string[],
  now: Date = new Date(),
): Promise<ServiceAccountTokenClaims> {
  let payload: unknown;
  let lastError: unknown;
  for (const key of candidates(keys.verification, headerKid(token))) {
    try {
      ({ payload } = await jwtVerify(token, key.key, {
        issuer: keys.issuer,
        audience: audiences,
        algorithms: [key.alg],
        clockTolerance: CLOCK_LEEWAY_SECONDS,
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'sub'],
      }));
      break;
    } catch (err) {
      lastError = err;
      // Only a signature (or algorithm) mismatch means "try the next key"; anything else is final.
      if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JOSEAlgNotAllowed) continue;
      throw new InvalidTokenError(describe(err));
    }
  }
  if (payload === undefined) throw new InvalidTokenError(describe(lastError));
  const parsed = TokenClaims.safeParse(payload);
  if (!parsed.success) throw new InvalidTokenError('service-account token: missing or malformed kubernetes.io claims');
  const claims = parsed.data;
  const kube = claims['kubernetes.io'];
  if (claims.sub !== serviceAccountUsername(kube.namespace, kube.serviceaccount.name)) {
    throw new InvalidTokenError('service-account token: sub does not match the kubernetes.io claims');
  }
  return claims;
}

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'service-account token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `service-account token: ${err.claim} claim is not valid (${err.reason})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'service-account token: signature does not verify with any known key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'service-account token: signed with an algorithm no known key uses';
  if (err instanceof joseErrors.JOSEError) return `service-account token: ${err.code}`;
  return 'service-account token is malformed';
}
