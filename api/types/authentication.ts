/**
 * authentication.k8s.io/v1 TokenRequest: the body of serviceaccounts/{name}/token, in and
 * out (the answer carries the token in status). Never stored.
 */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { typeMeta } from './common.js';

export const AUTHENTICATION_V1 = 'authentication.k8s.io/v1';

/** The shortest token lifetime a client may ask for (Kubernetes refuses less than 10 minutes). */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

export const BoundObjectReference = z.strictObject({
  kind: z.string().optional().describe("Kind of the referent: 'Pod' or 'Secret'."),
  apiVersion: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional().describe('UID of the referent; the token is refused once an object of another uid holds the name.'),
});
export type BoundObjectReference = z.infer<typeof BoundObjectReference>;

export const TokenRequestSpec = z.strictObject({
  audiences: z.array(z.string()).nullable().optional().describe("Intended audiences; empty means the apiserver's own."),
  expirationSeconds: z.number().int().nullable().optional().describe('Requested lifetime in seconds (at least 600).'),
  boundObjectRef: BoundObjectReference.nullable().optional().describe('The token is valid only while this object exists.'),
});
export type TokenRequestSpec = z.infer<typeof TokenRequestSpec>;

export const TokenRequestStatus = z.strictObject({
  token: z.string().optional(),
  expirationTimestamp: z.string().optional(),
});

export const TokenRequest = z
  .strictObject({
    ...typeMeta(AUTHENTICATION_V1, 'TokenRequest'),
    metadata: ObjectMeta.default({}),
    spec: TokenRequestSpec.default({}),
    status: TokenRequestStatus.optional(),
  })
  .describe('Requests a token for a service account.');
export type TokenRequest = z.infer<typeof TokenRequest>;
